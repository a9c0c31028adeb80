/**
 * `bgbash hook` by how the agent runs it: Claude Code's print mode (a Stop
 * that would end the session while tasks run), its asyncRewake wake hook, and
 * Codex's hooks (Claude-compatible output). Fed the agents' documented hook
 * input, through the hook client the shipped hooks run, against a real server
 * that shares this process as an ancestor.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, ROOT, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// The hook client every shipped and installed hook runs (it starts the CLI when there is something to do).
const HOOK_CLIENT = path.join(ROOT, 'plugins/claude-code/hooks/bgbash-hook.mjs');

function hook(s: TestServer, args: string[], input: unknown, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [HOOK_CLIENT, 'hook', ...args], { env: baseEnv({ BGBASH_DATA_DIR: s.dataDir, ...env }) }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - t0 }),
    );
    child.stdin!.end(JSON.stringify(input));
  });
}

const PRINT = { CLAUDE_CODE_ENTRYPOINT: 'sdk-cli' };
const INTERACTIVE = { CLAUDE_CODE_ENTRYPOINT: 'cli' };
const stop = (session: string, active = false) => ({ session_id: session, hook_event_name: 'Stop', stop_hook_active: active, cwd: '/' });

async function drainAll(s: TestServer): Promise<void> {
  while ((await hook(s, ['claude-code'], { session_id: 'x', hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout) {
    /* empty the inbox */
  }
}

describe('Claude Code print mode: Stop while tasks run', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('blocks with the running tasks and how to wait, also when stop_hook_active, until the limit; never in the interactive app', async () => {
    const r = await s.ok('bash', { command: 'sleep 30', background: true, name: 'long one' });
    const id = r.structuredContent.task_id;
    const first = await hook(s, ['claude-code'], stop('print-1'), PRINT);
    const out = JSON.parse(first.stdout);
    expect(out.decision).toBe('block');
    expect(out.reason).toContain(`#${id} running — long one`);
    expect(out.reason).toContain(`task_status {task_id: "${id}", wait: 60}`);
    expect(JSON.parse((await hook(s, ['claude-code'], stop('print-1', true), PRINT)).stdout).decision).toBe('block');
    expect((await hook(s, ['claude-code'], stop('inter-1'), INTERACTIVE)).stdout).toBe('');
    expect((await hook(s, ['claude-code'], stop('unknown-1'), {})).stdout).toBe('');
    // notices.holdPrintStop (read by the hook: config files or BGBASH_HOLD_PRINT_STOP) bounds it from the first block on.
    const brief = { ...PRINT, BGBASH_HOLD_PRINT_STOP: '1ms' };
    expect(JSON.parse((await hook(s, ['claude-code'], stop('print-3'), brief)).stdout).decision).toBe('block');
    expect((await hook(s, ['claude-code'], stop('print-3', true), brief)).stdout).toBe('');
    expect((await hook(s, ['claude-code'], stop('print-4'), { ...PRINT, BGBASH_HOLD_PRINT_STOP: '0' })).stdout).toBe('');
    await s.ok('task_cancel', { task_id: id });
    // Its notice comes once the process has gone (a moment after the cancel answers): taken by a prompt hook first.
    await waitFor(async () => (await hook(s, ['claude-code'], { session_id: 'x', hook_event_name: 'UserPromptSubmit', prompt: 'x' })).stdout.includes(`#${id}`), 'the cancel notice', 20_000);
    await drainAll(s);
    expect((await hook(s, ['claude-code'], stop('print-2'), PRINT)).stdout).toBe('');
  }, 120_000); // nine hook processes, each a Node start
});

describe('Claude Code wake hook (--wake, asyncRewake)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('in claude -p it returns at once, holding nothing', async () => {
    const t = await s.ok('bash', { command: 'sleep 5', background: true });
    const r = await hook(s, ['claude-code', '--wake'], stop('p'), PRINT);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // End it here, or it ends during a later test and its notice lands there.
    await s.ok('task_cancel', { task_id: t.structuredContent.task_id });
    await s.ok('task_status', { task_id: t.structuredContent.task_id, wait: 10 });
    await drainAll(s);
  });

  it('waits while tasks run, then exits 2 with the notice on stderr, once; a newer waiter replaces it', async () => {
    await drainAll(s);
    const gate = path.join(s.dataDir, 'gate');
    const r = await s.ok('bash', { command: `until [ -e ${gate} ]; do sleep 0.05; done; echo woke-me`, background: true, name: 'gated' });
    const spawnWaiter = () => {
      const child = spawn(process.execPath, [CLI, 'hook', 'claude-code', '--wake'], { env: baseEnv({ BGBASH_DATA_DIR: s.dataDir, ...INTERACTIVE }), stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdin.end(JSON.stringify(stop('sess-w')));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      return { child, exited, stderr: () => stderr };
    };
    const older = spawnWaiter();
    await waitFor(() => fs.existsSync(path.join(s.dataDir, 'run', 'wake-sess-w.pid')) && fs.readFileSync(path.join(s.dataDir, 'run', 'wake-sess-w.pid'), 'utf8').trim() === String(older.child.pid), 'the first waiter');
    const newer = spawnWaiter();
    expect(await older.exited).toBe(0);
    await waitFor(() => fs.readFileSync(path.join(s.dataDir, 'run', 'wake-sess-w.pid'), 'utf8').trim() === String(newer.child.pid), 'the newer waiter');
    fs.writeFileSync(gate, '');
    expect(await newer.exited).toBe(2);
    expect(newer.stderr()).toContain(`[Task #${r.structuredContent.task_id} completed] gated`);
    expect(newer.stderr()).toContain('woke-me');
    // Claimed: no other path repeats it.
    expect((await s.ok('task_list', {})).structuredContent.notices).toBeUndefined();
  });

  it('ends by itself when nothing is left running', async () => {
    await drainAll(s);
    const r = await hook(s, ['claude-code', '--wake'], stop('idle'), INTERACTIVE);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('through the hook client: waits while a task runs and exits 2 with its notice', async () => {
    await drainAll(s);
    const gate = path.join(s.dataDir, 'gate-client');
    const r = await s.ok('bash', { command: `until [ -e ${gate} ]; do sleep 0.05; done; echo client-woke`, background: true, name: 'gated by client' });
    const waiting = hook(s, ['claude-code', '--wake'], stop('sess-c'), INTERACTIVE);
    await waitFor(() => fs.existsSync(path.join(s.dataDir, 'run', 'wake-sess-c.pid')), 'the waiter the client started');
    fs.writeFileSync(gate, '');
    const done = await waiting;
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(`[Task #${r.structuredContent.task_id} completed] gated by client`);
  });
});

describe('Codex hooks', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('PostToolUse gives additionalContext, Stop blocks with the notices', async () => {
    const a = await s.ok('bg_submit', { command: 'echo codex-one' });
    await waitFor(() => fs.existsSync(path.join(s.dataDir, 'inbox')) && fs.readdirSync(path.join(s.dataDir, 'inbox')).some((d) => fs.existsSync(path.join(s.dataDir, 'inbox', d, `${a.structuredContent.task_id}.json`))), 'the notice');
    const post = JSON.parse((await hook(s, ['codex'], { session_id: 'c', hook_event_name: 'PostToolUse', tool_name: 'exec_command', tool_input: {}, tool_response: {} })).stdout);
    expect(post.hookSpecificOutput).toMatchObject({ hookEventName: 'PostToolUse', additionalContext: expect.stringContaining(`[Task #${a.structuredContent.task_id} completed]`) });
    const b = await s.ok('bg_submit', { command: 'echo codex-two' });
    await waitFor(() => fs.readdirSync(path.join(s.dataDir, 'inbox')).some((d) => fs.existsSync(path.join(s.dataDir, 'inbox', d, `${b.structuredContent.task_id}.json`))), 'the second notice');
    const st = JSON.parse((await hook(s, ['codex'], { session_id: 'c', hook_event_name: 'Stop', stop_hook_active: false })).stdout);
    expect(st).toMatchObject({ decision: 'block', reason: expect.stringContaining(`[Task #${b.structuredContent.task_id} completed]`) });
  });
});
