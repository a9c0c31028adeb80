/**
 * Agent integrations, tested at their contracts: hook commands fed each
 * agent's documented hook input, the opencode plugin driven with a recording
 * client against a real server, every shipped config started as the agent
 * would start it, and `bgbash install` on temp home dirs.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bgbash } from '../helpers/cli.js';
import { baseEnv, CLI, ROOT, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const PLUGINS = path.join(ROOT, 'plugins');

function hook(dataDir: string, agent: string, input: unknown, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'hook', agent], { env: baseEnv({ BGBASH_DATA_DIR: dataDir, ...env }) }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(typeof input === 'string' ? input : JSON.stringify(input));
  });
}

const contextOutput = z.object({ hookSpecificOutput: z.object({ hookEventName: z.string(), additionalContext: z.string().max(10_000) }).strict() }).strict();
const stopOutput = z.object({ decision: z.literal('block'), reason: z.string().max(10_000) }).strict();

async function endedTask(s: TestServer, command: string): Promise<string> {
  const r = await s.ok('bg_submit', { command });
  const id = r.structuredContent.task_id;
  await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox', fs.readdirSync(path.join(s.dataDir, 'inbox'))[0] ?? '-', `${id}.json`)), `the notice of task ${id}`);
  return id;
}

describe('Claude Code hook', () => {
  let s: TestServer;
  let other: { pid: number } | null = null;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    if (other) process.kill(other.pid, 'SIGTERM');
    await s.close();
  });

  const base = { session_id: 'abc123', transcript_path: '/tmp/t.jsonl', cwd: ROOT, permission_mode: 'default' };

  it('prints nothing when no notice waits', async () => {
    const r = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'hi' });
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('UserPromptSubmit: the pending notices as additionalContext, once', async () => {
    const id = await endedTask(s, 'echo from the hook test; exit 3');
    const r = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'what now?' });
    const out = contextOutput.parse(JSON.parse(r.stdout));
    expect(out.hookSpecificOutput.hookEventName).toBe('UserPromptSubmit');
    expect(out.hookSpecificOutput.additionalContext).toContain(`[Task #${id} failed] echo from the hook test; exit 3 — exit code 3`);
    expect((await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'again' })).stdout).toBe('');
    // Drained by the hook: the next tool result does not repeat it.
    const next = await s.ok('task_list', {});
    expect(next.structuredContent.notices).toBeUndefined();
  });

  it('PostToolUse: the same, for the tool call that just ran', async () => {
    const id = await endedTask(s, 'true');
    const r = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'PostToolUse', tool_name: 'Edit', tool_input: {}, tool_response: {} });
    expect(contextOutput.parse(JSON.parse(r.stdout)).hookSpecificOutput.additionalContext).toContain(`[Task #${id} completed]`);
  });

  it('Stop: blocks once with the notices as the reason, never when stop_hook_active', async () => {
    const id = await endedTask(s, 'echo done');
    const active = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'Stop', stop_hook_active: true });
    expect(active.stdout).toBe('');
    const r = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'Stop', stop_hook_active: false });
    expect(stopOutput.parse(JSON.parse(r.stdout)).reason).toContain(`[Task #${id} completed]`);
  });

  it('keeps within 10,000 characters; what does not fit stays for later', async () => {
    // Each ends after all are submitted (a gate file, not a guess at how long
    // forty submits take): a bg_submit result would otherwise carry (drain) the earlier ones.
    const gate = path.join(tempDir('bgbash-gate-'), 'open');
    for (let i = 0; i < 40; i++) {
      await s.ok('bg_submit', { command: `while [ ! -e ${gate} ]; do sleep 0.05; done; for i in 1 2 3 4 5; do echo "${'x'.repeat(200)} $i"; done`, name: `big ${i}` });
    }
    fs.writeFileSync(gate, '');
    await waitFor(() => fs.readdirSync(path.join(s.dataDir, 'inbox', fs.readdirSync(path.join(s.dataDir, 'inbox'))[0])).length >= 40, 'forty notices');
    const first = contextOutput.parse(JSON.parse((await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout));
    expect(first.hookSpecificOutput.additionalContext.length).toBeLessThanOrEqual(10_000);
    expect(first.hookSpecificOutput.additionalContext).toMatch(/\d+ more: they come with your next bgbash tool call/);
    const second = contextOutput.parse(JSON.parse((await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout));
    expect(second.hookSpecificOutput.additionalContext).toMatch(/\[Task #\d+ completed\] big/);
    while ((await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout) {
      /* drain the rest */
    }
  }, 150_000);

  it('drains only its own agent\'s servers, not another session\'s', async () => {
    while ((await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout) {
      /* start from an empty inbox */
    }
    // A server that is not a child of this process tree: another agent's.
    execFileSync('setsid', ['-f', process.execPath, CLI, 'serve', '--http', '127.0.0.1:0', '--data-dir', s.dataDir], { env: baseEnv(), stdio: 'ignore' });
    const info = await waitFor(() => {
      const files = fs.readdirSync(path.join(s.dataDir, 'servers')).map((f) => JSON.parse(fs.readFileSync(path.join(s.dataDir, 'servers', f), 'utf8')));
      return files.find((f) => f.http);
    }, 'the other server');
    other = info;
    const run = await bgbash(s.dataDir, ['run', '--server', info.id, '--', 'echo elsewhere']);
    const theirs = /^Task (\d+)/.exec(run.stdout)![1];
    await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox', info.session, `${theirs}.json`)), 'their notice');
    const r = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' });
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(s.dataDir, 'inbox', info.session, `${theirs}.json`))).toBe(true);
    // BGBASH_SESSION names a session outright.
    const named = await hook(s.dataDir, 'claude-code', { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'x' }, { BGBASH_SESSION: info.session });
    expect(contextOutput.parse(JSON.parse(named.stdout)).hookSpecificOutput.additionalContext).toContain(`[Task #${theirs} completed] echo elsewhere`);
  });

  it('never breaks the agent: bad input, unknown events', async () => {
    expect(await hook(s.dataDir, 'claude-code', 'not json')).toMatchObject({ code: 0, stdout: '' });
    expect(await hook(s.dataDir, 'claude-code', { hook_event_name: 'PreCompact' })).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('Gemini CLI hook', () => {
  it('AfterTool and BeforeAgent add the notices as additionalContext', async () => {
    const s = await startServer();
    try {
      const id = await endedTask(s, 'echo gemini');
      const r = await hook(s.dataDir, 'gemini-cli', { session_id: 's', transcript_path: '/t', cwd: ROOT, hook_event_name: 'AfterTool', timestamp: new Date().toISOString(), tool_name: 'read_file', tool_input: {}, tool_response: {} });
      const out = contextOutput.parse(JSON.parse(r.stdout));
      expect(out.hookSpecificOutput).toMatchObject({ hookEventName: 'AfterTool' });
      expect(out.hookSpecificOutput.additionalContext).toContain(`[Task #${id} completed] echo gemini`);
      const id2 = await endedTask(s, 'echo again');
      const b = await hook(s.dataDir, 'gemini-cli', { session_id: 's', cwd: ROOT, hook_event_name: 'BeforeAgent', prompt: 'hi' });
      expect(contextOutput.parse(JSON.parse(b.stdout)).hookSpecificOutput.additionalContext).toContain(`[Task #${id2} completed]`);
    } finally {
      await s.close();
    }
  });
});

/** The shipped opencode plugin, loaded as opencode loads it, against this server's data dir; `calls` records what it asks opencode to send. */
async function loadOpencodePlugin(s: TestServer): Promise<{ calls: any[]; hooks: any; prev: string | undefined }> {
  const calls: any[] = [];
  const client = { session: { prompt: async (req: unknown) => void calls.push(req) } };
  const prev = process.env.BGBASH_DATA_DIR;
  process.env.BGBASH_DATA_DIR = s.dataDir;
  const mod = await import(path.join(PLUGINS, 'opencode', 'bgbash.js'));
  const hooks = await mod.BgbashPlugin({ client, directory: ROOT, worktree: ROOT, project: {}, $: null });
  return { calls, hooks, prev };
}

describe('opencode plugin', () => {
  it('injects each notice once: a new turn when the session is idle, noReply while it is busy', async () => {
    const s = await startServer();
    const { calls, hooks, prev } = await loadOpencodePlugin(s);
    try {
      // A notice before opencode names its session waits in the inbox.
      const early = await s.ok('bg_submit', { command: 'echo early' });
      await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox')) && fs.readdirSync(path.join(s.dataDir, 'inbox')).length > 0, 'the early notice');
      await hooks.event({ event: { type: 'session.updated', properties: { info: { id: 'ses_1', title: 't' } } } });
      await waitFor(() => calls.length === 1, 'the early notice injected');
      // The turn it started is running: the next notice is added without starting another.
      await hooks.event({ event: { type: 'session.status', properties: { sessionID: 'ses_1', status: { type: 'busy' } } } });
      const late = await s.ok('bg_submit', { command: 'echo late; exit 1' });
      await waitFor(() => calls.length === 2, 'the second notice injected');
      const text = (task: any) => expect.stringMatching(new RegExp(`^\\[Task #${task.structuredContent.task_id} (completed|failed)\\]`));
      expect(calls[0]).toEqual({ path: { id: 'ses_1' }, body: { parts: [{ type: 'text', text: text(early) }] } });
      expect(calls[1]).toEqual({ path: { id: 'ses_1' }, body: { noReply: true, parts: [{ type: 'text', text: text(late) }] } });
      // Delivered through the plugin: not piggy-backed again.
      expect((await s.ok('task_list', {})).structuredContent.notices).toBeUndefined();
      expect(calls).toHaveLength(2);
    } finally {
      hooks.dispose();
      process.env.BGBASH_DATA_DIR = prev;
      await s.close();
    }
  });

  it('notices.wakeIdle = false: never starts a turn', async () => {
    const s = await startServer({ set: { 'notices.wakeIdle': 'false' } });
    const { calls, hooks, prev } = await loadOpencodePlugin(s);
    try {
      await hooks.event({ event: { type: 'session.idle', properties: { sessionID: 'ses_2' } } });
      await s.ok('bg_submit', { command: 'echo quiet' });
      await waitFor(() => calls.length === 1, 'the notice injected');
      expect(calls[0].body.noReply).toBe(true);
    } finally {
      hooks.dispose();
      process.env.BGBASH_DATA_DIR = prev;
      await s.close();
    }
  });
});

describe('shipped configs start a real server, as the agent would run them', () => {
  // `npx -y bgbash-mcp serve`, run where this checkout is the installed bgbash-mcp (as after `npm install bgbash-mcp`),
  // offline: npx must find it there and never fetch.
  let project: string;
  beforeAll(() => {
    project = tempDir('bgbash-npx-');
    fs.mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'bgbash-mcp'));
    // As npm links the package's bins (npx runs the one named like the package: it has three).
    fs.symlinkSync(CLI, path.join(project, 'node_modules', '.bin', 'bgbash'));
    fs.symlinkSync(CLI, path.join(project, 'node_modules', '.bin', 'bgbash-mcp'));
    fs.symlinkSync(path.join(ROOT, 'plugins/claude-code/hooks/bgbash-hook.mjs'), path.join(project, 'node_modules', '.bin', 'bgbash-hook'));
  });

  const configs: Array<[string, () => { command: string; args: string[] }]> = [
    ['claude-code/.mcp.json', () => JSON.parse(fs.readFileSync(path.join(PLUGINS, 'claude-code/.mcp.json'), 'utf8')).mcpServers.bgbash],
    ['opencode/opencode.json', () => {
      const c = JSON.parse(fs.readFileSync(path.join(PLUGINS, 'opencode/opencode.json'), 'utf8')).mcp.bgbash;
      expect(c).toMatchObject({ type: 'local', enabled: true });
      return { command: c.command[0], args: c.command.slice(1) };
    }],
    ['codex/config.toml', () => {
      const c = (parseToml(fs.readFileSync(path.join(PLUGINS, 'codex/config.toml'), 'utf8')) as any).mcp_servers.bgbash;
      expect(c.tool_timeout_sec).toBeGreaterThan(30);
      return c;
    }],
    ['gemini-cli/gemini-extension.json', () => JSON.parse(fs.readFileSync(path.join(PLUGINS, 'gemini-cli/gemini-extension.json'), 'utf8')).mcpServers.bgbash],
    ['cursor-vscode/cursor-mcp.json', () => JSON.parse(fs.readFileSync(path.join(PLUGINS, 'cursor-vscode/cursor-mcp.json'), 'utf8')).mcpServers.bgbash],
    ['cursor-vscode/vscode-mcp.json', () => JSON.parse(fs.readFileSync(path.join(PLUGINS, 'cursor-vscode/vscode-mcp.json'), 'utf8')).servers.bgbash],
  ];
  it.each(configs)('%s', async (_name, read) => {
    const { command, args } = read();
    const client = new Client({ name: 'config-check', version: '1' });
    expect([command, ...args]).toEqual(['npx', '-y', 'bgbash-mcp', 'serve']);
    const env = baseEnv({ BGBASH_DATA_DIR: tempDir(), npm_config_offline: 'true', npm_config_update_notifier: 'false' });
    await client.connect(new StdioClientTransport({ command, args, env, cwd: project }));
    expect(client.getServerVersion()?.name).toBe('bgbash');
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('bash');
    await client.close();
  });

  it('the Claude Code plugin manifest points at its MCP config and channel; hooks/hooks.json loads by itself', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PLUGINS, 'claude-code/.claude-plugin/plugin.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'bgbash', mcpServers: './.mcp.json', channels: [{ server: 'bgbash' }] });
    // Naming the default hooks file again makes Claude Code refuse it ("Duplicate hooks file detected").
    expect(manifest.hooks).toBeUndefined();
    // Hooks run the plugin's own hook client (no npx on the per-call path: issue 23).
    const client = 'node \\"${CLAUDE_PLUGIN_ROOT}/hooks/bgbash-hook.mjs\\" hook claude-code';
    const hooks = JSON.parse(fs.readFileSync(path.join(PLUGINS, 'claude-code/hooks/hooks.json'), 'utf8')).hooks;
    for (const event of ['UserPromptSubmit', 'PostToolUse', 'Stop']) expect(JSON.stringify(hooks[event])).toContain(`"${client}"`);
    expect(hooks.Stop[0].hooks).toContainEqual(expect.objectContaining({ command: 'node "${CLAUDE_PLUGIN_ROOT}/hooks/bgbash-hook.mjs" hook claude-code --wake', asyncRewake: true }));
    const codex = JSON.parse(fs.readFileSync(path.join(PLUGINS, 'codex/hooks.json'), 'utf8')).hooks;
    for (const event of ['PostToolUse', 'UserPromptSubmit', 'Stop']) expect(JSON.stringify(codex[event])).toContain('"bgbash-hook hook codex"');
    const gemini = JSON.parse(fs.readFileSync(path.join(PLUGINS, 'gemini-cli/hooks/hooks.json'), 'utf8')).hooks;
    for (const event of ['AfterTool', 'BeforeAgent']) expect(JSON.stringify(gemini[event])).toContain('"node \\"${extensionPath}/hooks/bgbash-hook.mjs\\" hook gemini-cli"');
  });
});

describe('bgbash install', () => {
  function inTemp(): { home: string; project: string; run: (args: string[]) => Promise<{ code: number; stdout: string }> } {
    const home = tempDir('bgbash-home-');
    const project = tempDir('bgbash-proj-');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [CLI, 'install', ...args], { cwd: project, env: baseEnv({ HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), PATH: '/usr/bin:/bin' }) }, (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
        ),
      );
    return { home, project, run };
  }

  it('writes fresh configs for every agent', async () => {
    const t = inTemp();
    // Each agent writes its own files, so they can all run at once.
    const agents = ['claude-code', 'opencode', 'gemini-cli', 'cursor', 'vscode', 'codex'];
    const codes = (await Promise.all(agents.map((a) => t.run([a])))).map((r) => r.code);
    expect(codes).toEqual(agents.map(() => 0));
    const npx = { command: 'npx', args: ['-y', 'bgbash-mcp', 'serve'] };
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.mcp.json'), 'utf8')).mcpServers.bgbash).toEqual(npx);
    // Hooks run the hook client of this install by its path, never npx.
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.claude/settings.json'), 'utf8')).hooks.Stop[0].hooks[0].command).toBe(`node ${ROOT}/plugins/claude-code/hooks/bgbash-hook.mjs hook claude-code`);
    expect(JSON.parse(fs.readFileSync(path.join(t.project, 'opencode.json'), 'utf8')).mcp.bgbash.type).toBe('local');
    expect(fs.existsSync(path.join(t.project, '.opencode/plugins/bgbash.js'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.gemini/settings.json'), 'utf8')).hooks.AfterTool).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.cursor/mcp.json'), 'utf8')).mcpServers.bgbash).toBeDefined();
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.vscode/mcp.json'), 'utf8')).servers.bgbash.type).toBe('stdio');
    expect((parseToml(fs.readFileSync(path.join(t.home, '.codex/config.toml'), 'utf8')) as any).mcp_servers.bgbash).toMatchObject(npx);
    expect(JSON.parse(fs.readFileSync(path.join(t.project, 'opencode.json'), 'utf8')).mcp.bgbash.command).toEqual(['npx', ...npx.args]);
    const codexHooks = JSON.parse(fs.readFileSync(path.join(t.home, '.codex/hooks.json'), 'utf8')).hooks;
    for (const event of ['PostToolUse', 'UserPromptSubmit', 'Stop']) expect(codexHooks[event][0].hooks[0].command).toMatch(/hook codex$/);
    const stop = JSON.parse(fs.readFileSync(path.join(t.project, '.claude/settings.json'), 'utf8')).hooks.Stop;
    expect(stop[1].hooks[0]).toMatchObject({ command: expect.stringMatching(/hook claude-code --wake$/), asyncRewake: true });
  });

  it('--local starts this checkout instead (for working on bgbash)', async () => {
    const t = inTemp();
    expect((await t.run(['claude-code', '--local'])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(t.project, '.mcp.json'), 'utf8')).mcpServers.bgbash).toEqual({ command: process.execPath, args: [CLI, 'serve'] });
  });

  it('merges into existing configs and never clobbers an entry', async () => {
    const t = inTemp();
    fs.writeFileSync(path.join(t.project, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'x' }, bgbash: { command: 'my-own-bgbash' } } }));
    fs.mkdirSync(path.join(t.home, '.codex'));
    fs.writeFileSync(path.join(t.home, '.codex/config.toml'), 'model = "o4"\n\n[mcp_servers.other]\ncommand = "y"\n');
    const r = await t.run(['claude-code']);
    expect(r.stdout).toMatch(/left mcpServers\.bgbash as it was \(already there\)/);
    const mcp = JSON.parse(fs.readFileSync(path.join(t.project, '.mcp.json'), 'utf8')).mcpServers;
    expect(mcp).toEqual({ other: { command: 'x' }, bgbash: { command: 'my-own-bgbash' } });
    await t.run(['codex']);
    const toml = parseToml(fs.readFileSync(path.join(t.home, '.codex/config.toml'), 'utf8')) as any;
    expect(toml.model).toBe('o4');
    expect(Object.keys(toml.mcp_servers).sort()).toEqual(['bgbash', 'other']);
    expect((await t.run(['codex'])).stdout).toMatch(/left \[mcp_servers\.bgbash\] as it was/);
  });

  it('--dry-run writes nothing; --user writes to the home dir; errors are clear', async () => {
    const t = inTemp();
    const dry = await t.run(['cursor', '--dry-run']);
    expect(dry.stdout).toMatch(/^would add mcpServers\.bgbash in .*\.cursor\/mcp\.json$/m);
    expect(fs.existsSync(path.join(t.project, '.cursor'))).toBe(false);
    await t.run(['claude-code', '--user']);
    expect(JSON.parse(fs.readFileSync(path.join(t.home, '.claude.json'), 'utf8')).mcpServers.bgbash).toBeDefined();
    expect((await t.run(['emacs'])).code).toBe(2);
    expect((await t.run(['vscode', '--user'])).code).toBe(2);
    fs.writeFileSync(path.join(t.project, 'opencode.json'), '{ broken');
    expect((await t.run(['opencode'])).code).toBe(1);
  });
});
