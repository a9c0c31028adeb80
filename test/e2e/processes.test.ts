/**
 * No orphan survives: cancel, timeout, leftovers of a finished command, and
 * every way the server can stop. Checked with `ps`, by distinctive command lines.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, ps, withArgs } from '../helpers/procs.js';
import { fixture, readRecord, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let seq = 0;
/** A sleep length no other process on the machine uses, to find a test's processes by. */
function token(): string {
  return `${4000 + (process.pid % 1000)}.${++seq}${Date.now() % 1000}`;
}

const GRACE = { 'background.killGrace': '500ms' };

describe('process trees', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ set: GRACE });
  });
  afterAll(async () => {
    await s.close();
  });

  it('cancel ends children and grandchildren that ignore SIGTERM', async () => {
    const tok = token();
    const r = await s.ok('bash', { command: `${fixture('stubborn.sh')} ${tok}`, background: true });
    const id = r.structuredContent.task_id;
    await s.ok('task_output', { task_id: id, until: 'ready', wait: 10 });
    expect(withArgs(`sleep ${tok}`).length).toBe(2);
    const c = await s.ok('task_cancel', { task_id: id });
    expect(c.structuredContent.task.state).toBe('cancelled');
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0 && withArgs(`stubborn.sh ${tok}`).length === 0, 'the tree to be gone', 5000);
    // The late exit fills in how it died; the state stays cancelled. (ps may see the tree gone a moment
    // before the server has handled the exit: wait for the record, with a deadline.)
    const st = await waitFor(async () => {
      const r = await s.ok('task_status', { task_id: id, wait: 5 });
      return r.structuredContent.task.signal !== null ? r : null;
    }, 'the exit to be recorded', 10_000);
    expect(st.structuredContent.task).toMatchObject({ state: 'cancelled', signal: 'SIGKILL' });
  });

  it('timeout fails the task with a timeout error and ends the tree', async () => {
    const tok = token();
    const t0 = Date.now();
    const r = await s.ok('bash', { command: `${fixture('stubborn.sh')} ${tok}`, timeout: 1, yield_after: 0 });
    expect(r.structuredContent.state).toBe('failed');
    expect(r.structuredContent.error).toMatch(/timed out after 1\.0s/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(withArgs(`sleep ${tok}`)).toEqual([]);
  });

  it('what a finished command left running in the background is ended, even a setsid daemon', async () => {
    const tok = token();
    const r = await s.ok('bash', { command: `${fixture('escapee.sh')} 0 ${tok}` });
    expect(r.structuredContent).toMatchObject({ state: 'done', output: 'escaped' });
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0, 'the escaped daemon to be gone', 5000);
  });
});

describe('server shutdown', () => {
  const ways: Array<[string, (s: TestServer) => Promise<void> | void]> = [
    ['stdin EOF', (s) => s.close()],
    ['SIGTERM', (s) => void process.kill(s.pid, 'SIGTERM')],
    ['SIGINT', (s) => void process.kill(s.pid, 'SIGINT')],
    ['SIGHUP', (s) => void process.kill(s.pid, 'SIGHUP')],
  ];
  it.each(ways)('on %s: tasks cancelled, trees ended, records flushed, exit', async (why, stop) => {
    const s = await startServer({ set: GRACE });
    const tok = token();
    const r = await s.ok('bash', { command: `${fixture('stubborn.sh')} ${tok}`, background: true });
    const q = await s.ok('bash', { command: 'sleep 100', background: true });
    const id = r.structuredContent.task_id;
    await s.ok('task_output', { task_id: id, until: 'ready', wait: 10 });
    const t0 = Date.now();
    await stop(s);
    await waitFor(() => withArgs(`${s.dataDir}`).length === 0, 'the server to exit', 8000);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(withArgs(`sleep ${tok}`)).toEqual([]);
    for (const tid of [id, q.structuredContent.task_id]) {
      const rec = readRecord(s.dataDir, tid);
      expect(rec.state).toBe('cancelled');
      expect(rec.error).toMatch(/^the agent session ended/);
    }
    expect(fs.readdirSync(path.join(s.dataDir, 'servers'))).toEqual([]);
    if (why !== 'stdin EOF') await s.close().catch(() => undefined);
  });
});

describe('a client that kills the server\'s processes itself, then stops the server', () => {
  // opencode ends a session so: SIGTERM to every process under its MCP server (a `pgrep -P` walk), then
  // stdin closed (SIGTERM to the server 2 s later if it still runs). The tasks are the daemon's, not
  // under the agent's `bgbash serve`: the walk reaches none of them, and the session's end cancels them.
  const ways: Array<[string, (s: TestServer) => Promise<void> | void]> = [
    ['stdin EOF', (s) => s.close()],
    ['SIGTERM', (s) => void process.kill(s.pid, 'SIGTERM')],
  ];
  it.each(ways)('then %s: every task is cancelled by the session\'s end, none failed by the signal', async (_why, stop) => {
    const s = await startServer({ set: GRACE });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await s.ok('bash', { command: 'sleep 100', background: true, pty: i % 2 === 0 })).structuredContent.task_id);
    const pids = await waitFor(() => {
      const recs = ids.map((id) => readRecord(s.dataDir, id));
      return recs.every((r) => r.state === 'running' && r.pid) ? recs.map((r) => r.pid as number) : null;
    }, 'every task to run');
    const below = (root: number): number[] => {
      const rows = ps();
      const out: number[] = [];
      for (let level = [root]; level.length; ) {
        level = rows.filter((r) => level.includes(r.ppid)).map((r) => r.pid);
        out.push(...level);
      }
      return out;
    };
    const walked = below(s.pid);
    expect(walked.filter((pid) => pids.includes(pid))).toEqual([]);
    for (const pid of walked) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
    }
    await stop(s);
    await waitFor(() => withArgs(s.dataDir).length === 0, 'the server to exit', 15_000);
    expect(alive(pids)).toEqual([]);
    for (const id of ids) {
      expect(readRecord(s.dataDir, id), `task ${id}`).toMatchObject({ state: 'cancelled', error: expect.stringMatching(/^the agent session ended/), termination: { reason: 'cancelled' } });
    }
    await s.close().catch(() => undefined);
  });

  it('a task someone else kills while the server goes on is still recorded as killed by that signal', async () => {
    const s = await startServer({ set: GRACE });
    const r = await s.ok('bash', { command: 'sleep 100', background: true });
    const id = r.structuredContent.task_id;
    const pid = await waitFor(() => readRecord(s.dataDir, id).pid as number, 'the task to run');
    process.kill(pid, 'SIGTERM');
    const st = await s.ok('task_status', { task_id: id, wait: 20 });
    expect(st.structuredContent.task).toMatchObject({ state: 'failed', signal: 'SIGTERM', error: 'killed by signal SIGTERM' });
    await s.close();
  });
});

describe('kill -9 of the server', () => {
  it('the next server closes its tasks as failed, keeps their output, and ends its orphans', async () => {
    const a = await startServer({ set: GRACE });
    const tok = token();
    const r = await a.ok('bash', { command: `echo before-crash; ${fixture('stubborn.sh')} ${tok}`, background: true });
    const id = r.structuredContent.task_id;
    await a.ok('task_output', { task_id: id, until: 'ready', wait: 10 });
    await a.crash();
    expect(readRecord(a.dataDir, id).state).toBe('running');
    const b = await startServer({ dataDir: a.dataDir, set: GRACE });
    const rec = readRecord(a.dataDir, id);
    expect(rec.state).toBe('failed');
    expect(rec.error).toMatch(/the bgbash server that ran this task \(server pid \d+\) exited while it was running/);
    const out = await b.ok('task_output', { task_id: id });
    expect(out.structuredContent.output).toMatch(/^before-crash/);
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0, 'orphans to be ended', 5000);
    // New ids continue after the old ones.
    const next = await b.ok('bash', { command: 'true' });
    expect(Number(next.structuredContent.task_id)).toBeGreaterThan(Number(id));
    await b.close();
    await a.close().catch(() => undefined);
  });
});

describe('servers sharing a data dir', () => {
  it('ids never collide, and a new server never touches a live server\'s tasks', async () => {
    const a = await startServer({ set: GRACE });
    const b = await startServer({ dataDir: a.dataDir, set: GRACE });
    const long = await a.ok('bash', { command: 'sleep 30', background: true });
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).ok('bash', { command: 'true', background: true }).then((r) => r.structuredContent.task_id)),
    );
    expect(new Set([...ids, long.structuredContent.task_id]).size).toBe(11);
    const c = await startServer({ dataDir: a.dataDir, set: GRACE });
    expect(readRecord(a.dataDir, long.structuredContent.task_id).state).toBe('running');
    // Every session sees every task, and one daemon owns them all: another session can cancel it.
    const seen = await c.ok('task_status', { task_id: long.structuredContent.task_id });
    expect(seen.structuredContent.task.state).toBe('running');
    await c.ok('task_cancel', { task_id: long.structuredContent.task_id });
    expect((await a.ok('task_status', { task_id: long.structuredContent.task_id, wait: 10 })).structuredContent.task.state).toBe('cancelled');
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('output cap', () => {
  it('stops storing past output.maxBytes, says so, and counts what it dropped', async () => {
    const s = await startServer({ set: { 'output.maxBytes': '100KB' } });
    const r = await s.ok('bash', { command: `${fixture('huge.sh')} 20000` });
    expect(r.structuredContent.state).toBe('done');
    expect(r.structuredContent.output).toContain('[bgbash: output reached the 97.7 KiB cap; the rest is dropped]');
    const rec = readRecord(s.dataDir, r.structuredContent.task_id);
    expect(rec.output_dropped).toBeGreaterThan(500_000);
    expect(fs.statSync(path.join(s.dataDir, 'tasks', rec.id, 'output.log')).size).toBeLessThan(101_000);
    await s.close();
  });
});

describe('output cap in pipe mode (the child writes its log itself)', () => {
  it('cuts the log at output.maxBytes, says so, counts the rest, and keeps stderr apart', async () => {
    const s = await startServer({ set: { 'output.maxBytes': '100KB' } });
    const r = await s.ok('bash', { command: `${fixture('huge.sh')} 20000; echo to-stderr >&2`, pty: false });
    expect(r.structuredContent).toMatchObject({ state: 'done', stderr: 'to-stderr' });
    expect(r.structuredContent.output).toContain('[bgbash: output reached the 97.7 KiB cap; the rest is dropped]');
    const rec = readRecord(s.dataDir, r.structuredContent.task_id);
    const file = path.join(s.dataDir, 'tasks', rec.id, 'output.log');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('line 1 of the huge output fixture\n')).toBe(true);
    expect(fs.statSync(file).size).toBeLessThan(101_000);
    expect(text.endsWith('the rest is dropped]\n')).toBe(true);
    expect(rec.output_dropped).toBeGreaterThan(500_000);
    await s.close();
  });
});

describe('bad config', () => {
  it('serve fails at start naming the key', () => {
    let err: any;
    try {
      execFileSync(process.execPath, [path.resolve('dist/cli/main.js'), 'serve', '--set', 'background.maxConcurrentTasks=zero'], { stdio: 'pipe', input: '' });
    } catch (e) {
      err = e;
    }
    expect(err.status).toBe(1);
    expect(String(err.stderr)).toMatch(/bad config: "background\.maxConcurrentTasks"/);
  });
});

describe('retention', () => {
  it('keeps the newest retention.maxTasks ended tasks and removes the rest with their output', async () => {
    const a = await startServer({ set: { 'retention.maxTasks': 3 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await a.ok('bash', { command: `echo ${i}` })).structuredContent.task_id);
    const running = await a.ok('bash', { command: 'sleep 30', background: true });
    // A second session asking for another retention is told the daemon's setting stands.
    const b = await startServer({ dataDir: a.dataDir, set: { 'retention.maxTasks': 50 } });
    expect(b.stderr()).toMatch(/retention.maxTasks is 50 in this session's config, but the bgbash daemon already running uses 3/);
    await Promise.all([a.close(), b.close()]);
    await waitFor(() => fs.readdirSync(path.join(a.dataDir, 'servers')).length === 0, 'the daemon to exit');
    const c = await startServer({ dataDir: a.dataDir, set: { 'retention.maxTasks': 3 } });
    const after = fs.readdirSync(path.join(a.dataDir, 'tasks')).sort((x, y) => Number(x) - Number(y));
    // The three newest records stay (the cancelled sleep among them); the oldest go.
    expect(after).toEqual([ids[3], ids[4], running.structuredContent.task_id]);
    await c.close();
  });
});
