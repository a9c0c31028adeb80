/** The `bgbash` CLI against real servers (two at once), and with none. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { CLI, fixture, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { Tmux } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';

let a: TestServer;
let b: TestServer;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  a = await startServer({ dataDir: dir, clientName: 'agent-a' });
  b = await startServer({ dataDir: dir, clientName: 'agent-b' });
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

describe('with two servers running', () => {
  it('list merges both sessions, newest first, each row naming its agent and directory', async () => {
    const t1 = await a.ok('bash', { command: 'echo from a', name: 'job a' });
    const t2 = await b.ok('bash', { command: 'echo from b; exit 2', name: 'job b' });
    const r = await bgbash(dir, ['list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+COMMAND\s+STARTED\s+DURATION\s+AGENT$/);
    expect(lines[1]).toMatch(new RegExp(`^${t2.structuredContent.task_id}\\s+failed\\s+job b\\s.*\\sagent-b \\S+$`));
    expect(lines[2]).toMatch(new RegExp(`^${t1.structuredContent.task_id}\\s+done\\s+job a`));
    const json = JSON.parse((await bgbash(dir, ['list', '--json'])).stdout);
    // One daemon owns both sessions' tasks.
    expect(new Set(json.map((t: any) => t.server)).size).toBe(1);
    expect(new Set(json.map((t: any) => t.session)).size).toBe(2);
    const failed = JSON.parse((await bgbash(dir, ['list', '--state', 'failed', '--json'])).stdout);
    expect(failed.map((t: any) => t.id)).toEqual([t2.structuredContent.task_id]);
    expect((await bgbash(dir, ['list', '--state', 'bogus'])).code).toBe(2);
  });

  it('status, result (exit code = the task\'s), output, by id and by "#id"', async () => {
    const t = await a.ok('bash', { command: 'printf "\\033[31mred\\033[0m\\n"; exit 5', name: 'five' });
    const id = t.structuredContent.task_id;
    const st = await bgbash(dir, ['status', `#${id}`]);
    expect(st.stdout).toMatch(/^ID:\s+\d+$/m);
    expect(st.stdout).toMatch(/^Status:\s+failed/m);
    expect(st.stdout).toMatch(/^Origin:\s+agent-a$/m);
    expect(st.stdout).toMatch(/^Exit code:\s+5$/m);
    const js = JSON.parse((await bgbash(dir, ['status', id, '--json'])).stdout);
    expect(js).toMatchObject({ id, state: 'failed', exit_code: 5, waiting_for_input: false });
    const res = await bgbash(dir, ['result', id]);
    expect(res).toMatchObject({ code: 5, stdout: 'red\n' });
    expect((await bgbash(dir, ['output', id, '--raw'])).stdout).toBe('\x1b[31mred\x1b[0m\r\n');
  });

  it('run submits from the terminal (origin cli); output -f follows to the end; wait exits by outcome', async () => {
    const r = await bgbash(dir, ['run', '--name', 'from-cli', '--', fixture('counter.sh'), '4', '0.1']);
    expect(r.stderr).toMatch(/2 servers are running; using the newest/);
    const id = /^Task (\d+) running/.exec(r.stdout)![1];
    const f = await bgbash(dir, ['output', id, '-f']);
    expect(f.stdout).toBe('tick 1\ntick 2\ntick 3\ntick 4\nfinished\n');
    const st = JSON.parse((await bgbash(dir, ['status', id, '--json'])).stdout);
    expect(st).toMatchObject({ origin: 'cli', name: 'from-cli', state: 'done' });
    const bad = (await bgbash(dir, ['run', '--', 'exit 1'])).stdout.match(/^Task (\d+)/)![1];
    expect((await bgbash(dir, ['wait', id])).code).toBe(0);
    expect((await bgbash(dir, ['wait', id, bad])).code).toBe(1);
  });

  it('output -f joined while a task prints fast: every line once, in order (what the file lacks yet comes from the server)', async () => {
    // Bursts of 5,000 lines with short pauses: -f starts while the log's last writes are still on their way to disk.
    const cmd = 'for i in $(seq 0 29); do seq $((i*5000+1)) $((i*5000+5000)); sleep 0.02; done';
    const t = await a.ok('bash', { command: cmd, background: true });
    const id = t.structuredContent.task_id;
    await waitFor(async () => (await a.ok('task_status', { task_id: id })).structuredContent.task.output_bytes > 0, 'the first output');
    // Three followers, each joining at its own moment.
    const followers = await Promise.all([0, 1, 2].map(async (n) => {
      await new Promise((r) => setTimeout(r, n * 150));
      return bgbash(dir, ['output', id, '-f']);
    }));
    for (const f of followers) {
      const lines = f.stdout.split('\n');
      expect(lines.pop()).toBe('');
      const wrong = lines.findIndex((l, i) => l !== String(i + 1));
      expect(wrong, `line ${wrong + 1}: ${JSON.stringify(lines.slice(Math.max(0, wrong - 1), wrong + 2))}`).toBe(-1);
      expect(lines.length).toBe(150_000);
    }
    const raw = await bgbash(dir, ['output', id, '--raw']);
    expect(raw.stdout.startsWith('1\r\n2\r\n3\r\n')).toBe(true);
  });

  it('cancel and retry go to the owning server', async () => {
    const t = await b.ok('bash', { command: 'sleep 30', background: true });
    const id = t.structuredContent.task_id;
    const c = await bgbash(dir, ['cancel', id]);
    expect(c).toMatchObject({ code: 0, stdout: `Cancelled: ${id}\n` });
    const st = await b.ok('task_status', { task_id: id });
    expect(st.structuredContent.task).toMatchObject({ state: 'cancelled', error: 'cancelled from the terminal (bgbash cancel)' });
    const r = await bgbash(dir, ['retry', id]);
    const newId = /^Retried: (\d+)$/m.exec(r.stdout)![1];
    const again = await b.ok('task_status', { task_id: newId });
    expect(again.structuredContent.task).toMatchObject({ retry_of: id, state: 'running' });
    await bgbash(dir, ['cancel', newId]);
  });

  it('errors: unknown id, finished task, usage', async () => {
    expect(await bgbash(dir, ['status', '9999'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/no task with id "9999"/) });
    expect(await bgbash(dir, ['cancel'])).toMatchObject({ code: 2 });
    expect(await bgbash(dir, ['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
    const done = (await a.ok('bash', { command: 'true' })).structuredContent.task_id;
    expect(await bgbash(dir, ['cancel', done])).toMatchObject({ code: 1, stderr: expect.stringMatching(/already ended \(done\)/) });
    // Runs until cancelled: a short sleep could end before the CLI starts on a busy machine.
    const running = (await a.ok('bash', { command: 'sleep 600', background: true })).structuredContent.task_id;
    expect(await bgbash(dir, ['result', running])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/still running; `bgbash wait/),
    });
    await a.ok('task_cancel', { task_id: running });
  });

  it('the control socket and its directory are user-only', () => {
    const run = path.join(dir, 'run');
    expect(fs.statSync(run).mode & 0o777).toBe(0o700);
    // run/ also holds other files of the servers' (the shell-state prelude): every one is the user's alone.
    // Each session's control socket, the daemon's control socket and its session socket.
    const socks = fs.readdirSync(run).filter((f) => f.endsWith('.sock'));
    expect(socks).toHaveLength(4);
    for (const s of socks) expect(fs.statSync(path.join(run, s)).mode & 0o777).toBe(0o600);
    for (const f of fs.readdirSync(run)) expect(fs.statSync(path.join(run, f)).mode & 0o077, f).toBe(0);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe('detach', () => {
  it('`bgbash detach` returns the agent\'s waiting foreground call at once; the command goes on', async () => {
    // Long enough to outlive a slow machine's CLI start-ups; cancelled below.
    const call = a.call('bash', { command: `${fixture('counter.sh')} 600 0.1`, yield_after: 0 });
    await waitFor(async () => (await bgbash(dir, ['list', '--state', 'running', '--json'])).stdout.includes('counter.sh 600'), 'the run to start');
    const d = await bgbash(dir, ['detach']);
    // Timed from the command's own end: a CLI start-up on a busy machine is not the detach's cost.
    const t0 = Date.now();
    expect(d.stdout.trim()).toMatch(/^Detached: task \d+ keeps running in the background$/);
    const r: any = await call;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'request' });
    // The agent is told who detached it: `bgbash detach`, not a key press.
    expect(r.structuredContent.hint).toContain('a person detached it with `bgbash detach`');
    expect(r.content[0].text).not.toMatch(/Ctrl\+B/);
    expect(await bgbash(dir, ['detach'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/nothing to detach/) });
    await keepsTicking(a, r.structuredContent.task_id);
  });

  it('Ctrl+B in `bgbash attach` (a real terminal, tmux) detaches the foreground run', async () => {
    const tmux = new Tmux();
    try {
      const call = b.call('bash', { command: `${fixture('counter.sh')} 600 0.1`, yield_after: 0, name: 'long counter' });
      await waitFor(async () => JSON.parse((await bgbash(dir, ['list', '--state', 'running', '--json'])).stdout).some((t: any) => t.name === 'long counter'), 'the run to start');
      tmux.start(`${process.execPath} ${CLI} attach`, { env: { BGBASH_DATA_DIR: dir }, cols: 80, rows: 12 });
      const screen = await tmux.waitScreen((s) => /tick \d+/.test(s) && /Ctrl\+B detach · Ctrl\+] leave/.test(s), 'the attach view');
      expect(screen).toMatch(/#\d+ long counter · running/);
      const t0 = Date.now();
      tmux.keys('C-b');
      const r: any = await call;
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'request' });
      expect(r.structuredContent.hint).toContain('a person detached it with the detach key in `bgbash attach`');
      await tmux.waitScreen((s) => /detached: the agent goes on/.test(s), 'the detach message');
      // Keys typed there reach the task; Ctrl+] leaves.
      tmux.keys('C-]');
      await tmux.waitScreen((s) => !/Ctrl\+B detach/.test(s), 'attach to close');
      await keepsTicking(b, r.structuredContent.task_id);
    } finally {
      tmux.kill();
    }
  });

  it('attach forwards keystrokes to the task', async () => {
    const tmux = new Tmux();
    try {
      const t = await a.ok('bash', { command: fixture('prompt.sh'), background: true });
      const id = t.structuredContent.task_id;
      tmux.start(`${process.execPath} ${CLI} attach ${id}`, { env: { BGBASH_DATA_DIR: dir }, cols: 80, rows: 12 });
      await tmux.waitScreen((s) => s.includes('Continue? [y/N]'), 'the prompt');
      tmux.keys('y', 'Enter');
      await tmux.waitScreen((s) => s.includes('you said: y'), 'the answer');
      const st = await a.ok('task_status', { task_id: id, wait: 5 });
      expect(st.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0 });
      tmux.keys('C-]');
    } finally {
      tmux.kill();
    }
  });
});

describe('with no server running', () => {
  it('list/status/result/output read the records; cancel/retry/run/attach/detach say a server is needed', async () => {
    const s = await startServer();
    const t = await s.ok('bash', { command: 'echo kept' });
    const id = t.structuredContent.task_id;
    await s.close();
    await waitFor(() => fs.readdirSync(path.join(s.dataDir, 'servers')).length === 0, 'the server to unregister');
    const d = s.dataDir;
    expect((await bgbash(d, ['list'])).stdout).toMatch(new RegExp(`^${id}\\s+done\\s+echo kept`, 'm'));
    expect((await bgbash(d, ['status', id])).stdout).toMatch(/Status:\s+done/);
    expect(await bgbash(d, ['result', id])).toMatchObject({ code: 0, stdout: 'kept\n' });
    expect((await bgbash(d, ['output', id])).stdout).toBe('kept\n');
    for (const args of [['cancel', id], ['retry', id], ['run', '--', 'true'], ['attach', id], ['detach']]) {
      const r = await bgbash(d, args);
      expect(r.code, args.join(' ')).toBe(args[0] === 'attach' ? 2 : 1);
      if (args[0] !== 'attach') expect(r.stderr, args.join(' ')).toMatch(/no bgbash server is running\. Start one with `bgbash serve`/);
    }
    expect((await bgbash(d, ['--help'])).stdout).toMatch(/also work with no server running/);
    // Eleven CLI runs one after another: each costs ~0.5 s of CPU, 10 s and more at load 15.
  }, 240_000);
});

/** A detached run goes on: its output keeps growing after the detach. Then it is cancelled. */
async function keepsTicking(s: TestServer, id: string): Promise<void> {
  const first = await s.ok('task_output', { task_id: id });
  const cursor = first.structuredContent.cursor;
  const more = await s.ok('task_output', { task_id: id, since: cursor, until: 'tick \\d+', wait: 20 });
  expect(more.structuredContent.output).toMatch(/tick \d+/);
  const status = await s.ok('task_status', { task_id: id });
  expect(status.structuredContent.task.state).toBe('running');
  await s.ok('task_cancel', { task_id: id });
  const end = await s.ok('task_status', { task_id: id, wait: 20 });
  expect(end.structuredContent.task.state).toBe('cancelled');
}
