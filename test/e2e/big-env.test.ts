/**
 * Issue 26, item 5: a variable too big to hand to any process (Linux takes
 * at most 128 KiB per "NAME=value", ~2 MiB in all) once bricked the
 * session's shell: every later call said "could not start: spawn E2BIG".
 * It is caught where it is made: the export that made it is told, and the
 * shell goes on. Real server, real bash, real SDK client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, text, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s.close();
});

describe('an environment too big to start a process', () => {
  it('export of a 200 KB variable: the call says it was not kept and why; later calls, unset and background tasks run', async () => {
    const r = await s.ok('bash', { command: "export BIG=$(head -c 200000 /dev/zero | tr '\\0' b); export SMALL=kept; echo made" });
    expect(text(r)).toContain('made');
    expect(text(r)).toMatch(/not kept: export BIG \(195\.3 KiB\)\. A process cannot be started with a variable over 128 KiB/);
    const next = await s.ok('bash', { command: 'echo "big=${#BIG} small=$SMALL"' });
    expect(next.structuredContent.output).toBe('big=0 small=kept');
    expect((await s.ok('bash', { command: 'unset BIG; echo unset-ran' })).structuredContent.output).toBe('unset-ran');
    const bg = await s.ok('bash', { command: 'echo background-ran', background: true });
    const st = await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 20 });
    expect(st.structuredContent.task.state).toBe('done');
  });

  it('a variable under the limit is kept as before', async () => {
    await s.ok('bash', { command: "export MID=$(head -c 100000 /dev/zero | tr '\\0' m)" });
    expect((await s.ok('bash', { command: 'echo ${#MID}' })).structuredContent.output).toBe('100000');
    await s.ok('bash', { command: 'unset MID' });
  });

  it('many variables that pass 1 MiB together: the largest of the call are not kept, named; the shell goes on', async () => {
    const r = await s.ok('bash', { command: "for i in $(seq 1 14); do export V$i=$(head -c $((100000 + i)) /dev/zero | tr '\\0' v); done; echo made" });
    expect(text(r)).toMatch(/not kept: export V14 \(97\.7 KiB\), V13/);
    const next = await s.ok('bash', { command: 'echo "${#V1} ${#V14}"' });
    expect(next.structuredContent.output).toBe('100001 0');
    await s.ok('bash', { reset: true });
    expect((await s.ok('bash', { command: 'echo "[${V1}]"' })).structuredContent.output).toBe('[]');
  });

  it('a call\'s own env over the limit is refused at the call, naming the variable', async () => {
    const r = await s.call('bash', { command: 'true', env: { HUGE: 'h'.repeat(200_000) } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/env: HUGE is 195\.3 KiB; a process cannot be started with a variable over 128 KiB \(E2BIG\)/);
    expect((await s.ok('bash', { command: 'echo still-fine' })).structuredContent.output).toBe('still-fine');
  });
});
