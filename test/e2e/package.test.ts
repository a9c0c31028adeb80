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
import { baseEnv, ROOT, tempDir } from '../helpers/server.js';

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
});
