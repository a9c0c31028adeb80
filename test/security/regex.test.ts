/**
 * #12 case 5: agents' regexes (`grep`, `until`, `notify_on`) run in linear
 * time. A catastrophic pattern over a line that makes JavaScript's engine
 * backtrack for hours returns at once here, and the server keeps answering.
 * Over-long and unsupported patterns get a clear error naming the field.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startServer, text, type TestServer } from '../helpers/server.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

// 34 a's then "!": /^(a+)+$/ needs ~2^34 steps in a backtracking engine (about 10 minutes at 30 a's per 42 s, doubling per a).
const EVIL_LINE = `${'a'.repeat(34)}!`;
const EVIL = '^(a+)+$';

let s: TestServer;
let id: string;
beforeAll(async () => {
  s = await startServer();
  id = (await s.ok('bash', { command: `echo start; echo '${EVIL_LINE}'; echo end` })).structuredContent.task_id;
});
afterAll(async () => s.close());

it('grep with a catastrophic pattern answers, and a call made meanwhile is answered too', async () => {
  const [grep, list] = await Promise.all([s.ok('task_output', { task_id: id, grep: EVIL }), s.ok('task_list', {})]);
  expect(grep.structuredContent.output).toBe(`[no line matches /${EVIL}/]`);
  expect(list.structuredContent.tasks.map((t: { id: string }) => t.id)).toContain(id);
  const hit = await s.ok('task_output', { task_id: id, grep: '^(a+)+!$' });
  expect(hit.structuredContent.output).toBe(`2: ${EVIL_LINE}`);
});

it('until (task_output and a foreground bash) with a catastrophic pattern', async () => {
  const out = await s.ok('task_output', { task_id: id, until: EVIL, wait: 1 });
  expect(out.structuredContent.matched).toBe(false);
  const fg = await s.ok('bash', { command: `echo '${EVIL_LINE}'; echo ready; sleep 5`, until: `${EVIL}|ready`, yield_after: 20 });
  expect(fg.structuredContent).toMatchObject({ state: 'running', detached: 'until', matched: 'ready' });
  await s.ok('task_cancel', { task_id: fg.structuredContent.task_id });
});

it('notify_on with a catastrophic pattern: the task runs to its end and the server answers', async () => {
  const bg = await s.ok('bg_submit', { command: `echo '${EVIL_LINE}'; echo '${EVIL_LINE}'; echo aaaa`, notify_on: EVIL });
  const st = await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 15 });
  expect(st.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0 });
  await s.ok('task_list', {});
});

it('over-long and unsupported patterns are refused, naming the field', async () => {
  const long = await s.call('task_output', { task_id: id, grep: 'a'.repeat(1001) });
  expect(long.isError).toBe(true);
  expect(text(long)).toMatch(/grep: the regular expression is 1001 characters long; the limit is 1000/);
  const look = await s.call('bash', { command: 'true', until: 'a(?=b)' });
  expect(look.isError).toBe(true);
  expect(text(look)).toMatch(/until: invalid regular expression "a\(\?=b\)".*lookahead/);
  const big = await s.call('bg_submit', { command: 'true', notify_on: '((a*){100}){100}' });
  expect(big.isError).toBe(true);
  expect(text(big)).toMatch(/notify_on: /);
  await s.ok('task_list', {});
});
