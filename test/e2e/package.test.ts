/**
 * The published package as a user gets it: `npm pack`, the tarball installed
 * with --ignore-scripts into an empty prefix (no compiler, no install
 * scripts: the pty comes prebuilt), then `npx -y bgbash-mcp serve` — the
 * documented MCP config — driven by the SDK's client through a pty task.
 * Dependencies come from the npm cache (or the registry when missing there).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, ROOT, startServer, tempDir } from '../helpers/server.js';
import { runAsAgent } from '../helpers/hook-shell.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const npmEnv = (): Record<string, string> => baseEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

let prefix: string;
let files: string[];

beforeAll(async () => {
  const out = tempDir('bgbash-pack-');
  // dist/ is already built (npm test builds first), so pack without running `prepare` again.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT, env: npmEnv() });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info.files.map((f) => f.path);
  prefix = tempDir('bgbash-prefix-');
  fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n');
  await run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-save', path.join(out, path.basename(info.filename))], { cwd: prefix, env: npmEnv() });
}, 300_000);

describe('the bgbash-mcp package', () => {
  it('contains the built server and the plugins, nothing else', () => {
    const outside = files.filter((f) => !/^dist\/.+\.js$/.test(f) && !f.startsWith('plugins/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
    expect(outside).toEqual([]);
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('plugins/claude-code/.mcp.json');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.map'))).toBe(false);
  });

  it('installed with --ignore-scripts, `npx -y bgbash-mcp serve` runs a command under a terminal', async () => {
    expect(fs.existsSync(path.join(prefix, 'node_modules', '.bin', 'bgbash'))).toBe(true);
    const client = new Client({ name: 'pack-test', version: '1' });
    const transport = new StdioClientTransport({
      command: 'npx',
      args: ['-y', 'bgbash-mcp', 'serve'],
      cwd: prefix,
      // Offline: npx must find the installed package, not fetch one.
      env: { ...npmEnv(), npm_config_offline: 'true', BGBASH_DATA_DIR: tempDir() },
      stderr: 'pipe',
    });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe('bgbash');
      const r = (await client.callTool({ name: 'bash', arguments: { command: 'tty; seq 1 3000 | tail -1; echo done' } }, undefined, { timeout: 60_000 })) as {
        structuredContent: { state: string; exit_code: number; output: string };
      };
      expect(r.structuredContent).toMatchObject({ state: 'done', exit_code: 0 });
      expect(r.structuredContent.output).toMatch(/^\/dev\/pts\/\d+\n3000\ndone$/);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('the hooks as installed from the package, and the Claude Code plugin copied out of it, deliver through the hook client', async () => {
    const pkg = path.join(prefix, 'node_modules', 'bgbash-mcp');
    expect(files).toContain('plugins/claude-code/hooks/bgbash-hook.mjs');
    expect(fs.existsSync(path.join(prefix, 'node_modules', '.bin', 'bgbash-hook'))).toBe(true);
    const home = tempDir('bgbash-home-');
    await run(path.join(prefix, 'node_modules', '.bin', 'bgbash'), ['install', 'claude-code', '--user'], { env: baseEnv({ HOME: home }) });
    const installed = JSON.parse(fs.readFileSync(path.join(home, '.claude/settings.json'), 'utf8'));
    const hook: string = installed.hooks.PostToolUse[0].hooks[0].command;
    expect(hook).toBe(`node ${fs.realpathSync(pkg)}/plugins/claude-code/hooks/bgbash-hook.mjs hook claude-code`);
    expect(installed.statusLine.command).toBe(`node ${fs.realpathSync(pkg)}/dist/cli/main.js strip --status-line`);
    // A plugin install is a copy of the plugin directory alone: no dist/ next to it, so delivering goes through npx.
    const pluginRoot = path.join(tempDir('bgbash-plugin-'), 'bgbash');
    fs.cpSync(path.join(pkg, 'plugins', 'claude-code'), pluginRoot, { recursive: true });
    const plugin: string = JSON.parse(fs.readFileSync(path.join(pluginRoot, 'hooks/hooks.json'), 'utf8')).hooks.PostToolUse[0].hooks[0].command;
    const s = await startServer();
    try {
      const env = { ...npmEnv(), npm_config_offline: 'true', BGBASH_DATA_DIR: s.dataDir, CLAUDE_PLUGIN_ROOT: pluginRoot };
      const input = JSON.stringify({ session_id: 'p1', hook_event_name: 'PostToolUse', tool_name: 'Read' });
      for (const command of [hook, plugin]) {
        expect((await runAsAgent(command, input, env, prefix)).stdout, command).toBe('');
        const id = (await s.ok('bg_submit', { command: 'echo packed; exit 2' })).structuredContent.task_id;
        await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox')) && fs.readdirSync(path.join(s.dataDir, 'inbox')).some((d) => fs.existsSync(path.join(s.dataDir, 'inbox', d, `${id}.json`))), `the notice of ${id}`);
        const r = await runAsAgent(command, input, env, prefix);
        expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext, `${command}: ${r.stderr}`).toContain(`[Task #${id} failed] echo packed; exit 2`);
      }
    } finally {
      await s.close();
    }
  }, 120_000);
});

