/** One shell per MCP session: cd, export and unset carry from one foreground bash call to the next, through the real SDK client. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { baseEnv, CLI, readRecord, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const out = (r: { structuredContent?: any }): string => String(r.structuredContent.output).trim();

describe.each([
  ['pty', true],
  ['pipe', false],
])('shell state (%s mode)', (_mode, pty) => {
  let s: TestServer;
  let start: string;
  let work: string;
  const sh = (command: string, more: Record<string, unknown> = {}) => s.ok('bash', { command, pty, ...more });

  beforeAll(async () => {
    start = tempDir('bgbash-shell-start-');
    work = tempDir('bgbash-shell-work-');
    fs.mkdirSync(path.join(work, 'pkg', 'src'), { recursive: true });
    fs.writeFileSync(path.join(work, 'pkg', 'src', 'hello.txt'), 'hello from pkg\n');
    s = await startServer({ cwd: start });
  });
  afterAll(async () => {
    await s.close();
  });

  it('cd in one call; a relative path works in the next', async () => {
    await sh(`cd ${work}/pkg`);
    expect(out(await sh('cat src/hello.txt'))).toBe('hello from pkg');
    const r = await sh('pwd');
    expect(out(r)).toBe(`${work}/pkg`);
    expect(r.structuredContent.cwd).toBe(`${work}/pkg`);
    await sh('cd src');
    expect(out(await sh('pwd'))).toBe(`${work}/pkg/src`);
  });

  it('export and unset carry over, values byte for byte', async () => {
    await sh(`export GREETING='two words'; export MULTI=$'line1\\nline "2"'; unset HOME`);
    const r = await sh('echo "[$GREETING]"; printf "%s\\n" "$MULTI"; echo "HOME=${HOME-unset}"');
    expect(out(r).replace(/\r/g, '')).toBe('[two words]\nline1\nline "2"\nHOME=unset');
    await sh('unset GREETING; export HOME=/nowhere');
    expect(out(await sh('echo "G=${GREETING-unset} H=$HOME M=${MULTI%%$\'\\n\'*}"'))).toBe('G=unset H=/nowhere M=line1');
    // A variable given for one call is not kept.
    expect(out(await sh('echo "$ONCE"', { env: { ONCE: 'just now' } }))).toBe('just now');
    expect(out(await sh('echo "ONCE=${ONCE-unset}"'))).toBe('ONCE=unset');
  });

  it('keeps the state of a command that fails, exits with a code, or stops under set -e', async () => {
    let r = await s.call('bash', { command: `cd ${work} && export STEP=1 && false && echo never`, pty });
    expect(r.structuredContent.exit_code).toBe(1);
    expect(out(await sh('pwd; echo $STEP'))).toMatch(new RegExp(`^${work}\\s+1$`));
    r = await s.call('bash', { command: `cd ${work}/pkg; export STEP=2; exit 3`, pty });
    expect(r.structuredContent.exit_code).toBe(3);
    expect(out(await sh('pwd; echo $STEP'))).toMatch(new RegExp(`^${work}/pkg\\s+2$`));
    const traced = `set -eux; cd ${work}; export STEP=3; false; cd /`;
    r = await s.call('bash', { command: traced, pty });
    expect(r.structuredContent.exit_code).toBe(1);
    expect(out(await sh('pwd; echo $STEP'))).toMatch(new RegExp(`^${work}\\s+3$`));
    // The capture writes nothing to the output, even under xtrace: stderr is what bash alone prints.
    const alone = spawnSync('bash', ['-c', traced], { encoding: 'utf8' }).stderr;
    if (!pty) expect(r.structuredContent.stderr.trimEnd()).toBe(alone.trimEnd());
  });

  it('subshells and command substitutions do not move the shell', async () => {
    await sh(`cd ${work}`);
    expect(out(await sh('(cd /; exit 0); x=$(cd /tmp; pwd); echo $x'))).toBe('/tmp');
    expect(out(await sh('pwd'))).toBe(work);
  });

  it('background tasks start in the current directory and never change it', async () => {
    await sh(`cd ${work}/pkg; export FROM_FG=yes`);
    const bg = await s.ok('bash', { command: 'pwd; echo "FROM_FG=$FROM_FG"; cd /; export FROM_FG=no', background: true, pty });
    const done = await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 20 });
    expect(done.structuredContent.task.state).toBe('done');
    const log = await s.ok('task_output', { task_id: bg.structuredContent.task_id });
    expect(String(log.structuredContent.output).replace(/\r/g, '')).toContain(`${work}/pkg\nFROM_FG=yes`);
    expect(out(await sh('pwd; echo $FROM_FG'))).toMatch(new RegExp(`^${work}/pkg\\s+yes$`));
    const sub = await s.ok('bg_submit', { command: 'pwd', pty });
    await s.ok('task_status', { task_id: sub.structuredContent.task_id, wait: 20 });
    expect(out(await s.ok('task_output', { task_id: sub.structuredContent.task_id }))).toBe(`${work}/pkg`);
  });

  it('a detached command changes the state only when it ends by itself', async () => {
    await sh(`cd ${work}`);
    const r = await sh(`cd ${work}/pkg; echo ready; read -r answer; export ANSWER=$answer`, { until: 'ready' });
    expect(r.structuredContent.detached).toBe('until');
    // Half run: already in pkg, but the call's shell is not the session's yet.
    expect(out(await sh('pwd; echo "A=${ANSWER-unset}"'))).toMatch(new RegExp(`^${work}\\s+A=unset$`));
    await s.ok('task_input', { task_id: r.structuredContent.task_id, text: 'forty-two\n' });
    expect((await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 20 })).structuredContent.task.state).toBe('done');
    expect(out(await sh('pwd; echo "A=$ANSWER"'))).toMatch(new RegExp(`^${work}/pkg\\s+A=forty-two$`));
    // Cancelled: never applied.
    const c = await sh(`cd /; echo ready; sleep 30`, { until: 'ready' });
    await s.ok('task_cancel', { task_id: c.structuredContent.task_id });
    await s.ok('task_status', { task_id: c.structuredContent.task_id, wait: 20 });
    expect(out(await sh('pwd'))).toBe(`${work}/pkg`);
  });

  it('cwd overrides the directory for one call, relative to the current one', async () => {
    await sh(`cd ${work}`);
    expect(out(await sh('pwd', { cwd: 'pkg/src' }))).toBe(`${work}/pkg/src`);
    expect(out(await sh('pwd', { cwd: start }))).toBe(start);
    expect(out(await sh('pwd'))).toBe(work);
  });

  it('a deleted directory falls back to the start directory, with a note', async () => {
    const doomed = fs.mkdtempSync(path.join(work, 'doomed-'));
    await sh(`cd ${doomed}`);
    fs.rmSync(doomed, { recursive: true });
    const r = await sh('pwd');
    expect(out(r)).toBe(start);
    expect(text(r)).toContain(`the working directory ${doomed} no longer exists; running in ${start}`);
    expect(text(await sh('pwd'))).not.toContain('no longer exists');
  });

  it('a command that replaces the shell keeps the old state and says so', async () => {
    await sh(`cd ${work}`);
    const r = await sh(`cd ${work}/pkg; exec true`);
    expect(text(r)).toContain('were not kept');
    expect(out(await sh('pwd'))).toBe(work);
  });

  it('reset returns to the start state; task_status shows the current directory', async () => {
    await sh(`cd ${work}/pkg; export RESET_ME=1`);
    const status = await s.ok('task_status', {});
    expect(status.structuredContent.cwd).toBe(`${work}/pkg`);
    expect(text(status)).toContain(`Shell: cwd ${work}/pkg (exported `);
    const r = await s.ok('bash', { reset: true });
    expect(r.structuredContent).toMatchObject({ reset: true, cwd: start });
    expect(out(await sh('pwd; echo "R=${RESET_ME-unset}"'))).toMatch(new RegExp(`^${start}\\s+R=unset$`));
    await sh(`cd ${work}`);
    expect(out(await s.ok('bash', { reset: true, command: 'pwd', pty }))).toBe(start);
    expect((await s.ok('task_status', {})).structuredContent.cwd).toBe(start);
  });
});

describe('shell state across sessions and the CLI', () => {
  let proc: ChildProcess;
  let dir: string;
  let start: string;
  let clients: Client[] = [];

  beforeAll(async () => {
    dir = tempDir();
    start = tempDir('bgbash-shell-start-');
    proc = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--data-dir', dir], { env: baseEnv(), cwd: start, stdio: ['ignore', 'ignore', 'pipe'] });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  });

  async function connect(name: string): Promise<(command: string) => Promise<any>> {
    const info = await waitFor(() => {
      const files = fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : [];
      const parsed = files.length ? JSON.parse(fs.readFileSync(path.join(dir, 'servers', files[0]), 'utf8')) : null;
      return parsed?.http && parsed?.socket ? parsed : null;
    }, 'the HTTP server to start');
    const token = fs.readFileSync(path.join(dir, 'run', `${info.id}.http-token`), 'utf8').trim();
    const client = new Client({ name, version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(info.http), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return async (command) => {
      const r: any = await client.callTool({ name: 'bash', arguments: { command } });
      expect(r.isError).toBeFalsy();
      return r;
    };
  }

  it('two clients of one server (two MCP sessions) do not share state; bgbash run starts where it is run', async () => {
    const work = tempDir('bgbash-shell-work-');
    const a = await connect('agent-a');
    const b = await connect('agent-b');
    await a(`cd ${work}; export ONLY_A=1`);
    expect(out(await b('pwd; echo "A=${ONLY_A-unset}"'))).toMatch(new RegExp(`^${start}\\s+A=unset$`));
    await b('cd /; export ONLY_B=1');
    expect(out(await a('pwd; echo "A=$ONLY_A B=${ONLY_B-unset}"'))).toMatch(new RegExp(`^${work}\\s+A=1 B=unset$`));
    // The CLI submits from its own directory (the repository here), not an agent's shell.
    const cli = await bgbash(dir, ['run', '--', 'pwd']);
    expect(cli.code).toBe(0);
    const id = /^Task (\d+)/.exec(cli.stdout)![1];
    const task = await waitFor(() => {
      const rec = readRecord(dir, id);
      return rec.state === 'done' ? rec : null;
    }, 'the CLI task to end');
    expect(task.cwd).toBe(process.cwd());
    expect(task.cwd).not.toBe(work);
  });

  it('keepShellState false: every call starts fresh', async () => {
    const s = await startServer({ cwd: start, set: { 'foreground.keepShellState': 'false' } });
    try {
      await s.ok('bash', { command: 'cd /; export X=1' });
      expect(out(await s.ok('bash', { command: 'pwd; echo "X=${X-unset}"' }))).toMatch(new RegExp(`^${start}\\s+X=unset$`));
    } finally {
      await s.close();
    }
  });
});
