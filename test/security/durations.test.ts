/**
 * #12 case 9: durations beyond setTimeout's limit (2^31-1 ms, ~24.8 days) are
 * honoured, not turned into 1 ms: a 30-day task timeout does not time tasks
 * out at once, and a 30-day yield_after does not detach at once.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ env: { BGBASH_TASK_TIMEOUT: '30d' }, set: { 'foreground.yieldAfter': 30 * 86_400 } });
});
afterAll(async () => s.close());

it('BGBASH_TASK_TIMEOUT=30d: a foreground command runs to its end', async () => {
  const r = await s.ok('bash', { command: 'sleep 0.5; echo survived' });
  expect(r.structuredContent).toMatchObject({ state: 'done', exit_code: 0, detached: null });
  expect(r.structuredContent.output).toBe('survived');
  const st = await s.ok('task_status', { task_id: r.structuredContent.task_id });
  expect(st.structuredContent.task.timeout_ms).toBe(30 * 86_400_000);
});

it('a background task under a 30-day timeout keeps running, and a per-call timeout still fires', async () => {
  const bg = await s.ok('bash', { command: 'sleep 1; echo done', background: true });
  const st = await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 15 });
  expect(st.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0 });
  const short = await s.ok('bash', { command: 'sleep 30', timeout: 0.5 });
  expect(short.structuredContent.state).toBe('failed');
  expect(short.structuredContent.error).toMatch(/timed out/);
});
