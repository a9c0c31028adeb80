/**
 * The spawner (run/spawner.ts): task processes are forked by a small process
 * of the server's, not by the server. Checked with `ps` against a real server:
 * who parents the tasks, that the spawner goes with the server however it
 * ends, and that a spawner killed under the server loses no task.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ps, type PsRow } from '../helpers/procs.js';
import { readRecord, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const spawnerOf = (server: number): PsRow | undefined => ps().find((r) => r.ppid === server && r.args.includes('spawner-process.js'));

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close().catch(() => undefined);
  s = null;
});

describe('the spawner', () => {
  it('parents every task, pty and pipe, foreground and background; the server forks none of them', async () => {
    s = await startServer({ set: { 'background.killGrace': '300ms' } });
    const fg = await s.ok('bash', { command: 'echo $PPID' });
    expect(fg.structuredContent.exit_code).toBe(0);
    const spawner = await waitFor(() => spawnerOf(s!.owner()), 'the spawner to run');
    const ids: string[] = [];
    for (const pty of [true, false]) ids.push((await s.ok('bash', { command: 'sleep 100', background: true, pty })).structuredContent.task_id);
    const pids = await waitFor(() => {
      const recs = ids.map((id) => readRecord(s!.dataDir, id));
      return recs.every((r) => r.state === 'running' && r.pid) ? recs.map((r) => r.pid as number) : null;
    }, 'both tasks to run');
    const rows = ps();
    for (const pid of pids) expect(rows.find((r) => r.pid === pid)?.ppid, `parent of ${pid}`).toBe(spawner.pid);
    // Its own session: a terminal's Ctrl+C for the server's group does not reach it.
    expect(spawner.sid).toBe(spawner.pid);
    for (const id of ids) await s.ok('task_cancel', { task_id: id });
    for (const id of ids) expect((await s.ok('task_status', { task_id: id, wait: 10 })).structuredContent.task.state).toBe('cancelled');
  });

  it.each([
    ['stdin EOF', (t: TestServer) => t.close()],
    ['kill -9', (t: TestServer) => t.crash()],
  ])('goes when the server goes (%s)', async (_how, stop) => {
    s = await startServer();
    await s.ok('bash', { command: 'true' });
    const spawner = await waitFor(() => spawnerOf(s!.owner()), 'the spawner to run');
    await stop(s);
    await waitFor(() => !ps().some((r) => r.pid === spawner.pid), 'the spawner to exit', 10_000);
  });

  it('ignores the SIGTERM a client sends every process under the server; the tasks still report how they ended', async () => {
    s = await startServer();
    await s.ok('bash', { command: 'true' });
    const spawner = await waitFor(() => spawnerOf(s!.owner()), 'the spawner to run');
    process.kill(spawner.pid, 'SIGTERM');
    const r = await s.ok('bash', { command: 'exit 7', pty: false });
    expect(r.structuredContent.exit_code).toBe(7);
    expect(ps().find((row) => row.pid === spawner.pid)?.ppid).toBe(s.owner());
  });

  it('killed under the server: running tasks still end in their records, and later tasks start here', async () => {
    s = await startServer({ set: { 'background.killGrace': '300ms' } });
    const id = (await s.ok('bash', { command: 'sleep 100', background: true })).structuredContent.task_id;
    const pid = await waitFor(() => readRecord(s!.dataDir, id).pid as number, 'the task to run');
    const spawner = await waitFor(() => spawnerOf(s!.owner()), 'the spawner to run');
    process.kill(spawner.pid, 'SIGKILL');
    await waitFor(() => !ps().some((r) => r.pid === spawner.pid), 'the spawner to be gone');
    // Its exit status went with the spawner: the task is watched in /proc instead.
    await s.ok('task_cancel', { task_id: id });
    const st = await s.ok('task_status', { task_id: id, wait: 10 });
    expect(st.structuredContent.task.state).toBe('cancelled');
    await waitFor(() => !ps().some((r) => r.pid === pid), 'the task process to be gone');
    const next = await s.ok('bash', { command: 'echo again; exit 3' });
    expect(next.structuredContent).toMatchObject({ exit_code: 3 });
    expect(next.structuredContent.output).toContain('again');
  });
});
