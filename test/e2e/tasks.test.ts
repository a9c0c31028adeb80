/** The queue and the task tools: concurrency, output reads, input, retry, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { fixture, readRecord, startServer, text, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ set: { 'background.maxConcurrentTasks': 2, 'input.quietAfter': '300ms' } });
});
afterAll(async () => {
  await s.close();
});

describe('queue', () => {
  it('runs at most maxConcurrentTasks at once; the rest wait pending, first in first out', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.ok('bg_submit', { command: `sleep 0.4; echo job ${i}`, name: `job ${i}` });
      ids.push(r.structuredContent.task_id);
    }
    const first = await s.ok('task_list', { limit: 5 });
    const states = Object.fromEntries(first.structuredContent.tasks.map((t: any) => [t.id, t.state]));
    expect(ids.filter((id) => states[id] === 'running').length).toBeLessThanOrEqual(2);
    expect(states[ids[4]]).toBe('pending');
    for (const id of ids) await s.ok('task_status', { task_id: id, wait: 10 });
    const recs = ids.map((id) => readRecord(s.dataDir, id));
    expect(recs.every((r) => r.state === 'done')).toBe(true);
    // FIFO: start times follow submission order; never more than 2 overlapping.
    const starts = recs.map((r) => Date.parse(r.started_at));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    for (const r of recs) {
      const overlapping = recs.filter((o) => Date.parse(o.started_at) <= Date.parse(r.started_at) && Date.parse(o.ended_at) > Date.parse(r.started_at));
      expect(overlapping.length).toBeLessThanOrEqual(2);
    }
  });

  it('a pending task can be cancelled and never starts', async () => {
    const a = await s.ok('bg_submit', { command: 'sleep 5' });
    const b = await s.ok('bg_submit', { command: 'sleep 5' });
    const c = await s.ok('bg_submit', { command: 'echo never' });
    expect(c.structuredContent.state).toBe('pending');
    const cancelled = await s.ok('task_cancel', { task_id: c.structuredContent.task_id });
    expect(cancelled.structuredContent.task).toMatchObject({ state: 'cancelled', started_at: null });
    await s.ok('task_cancel', { task_id: a.structuredContent.task_id });
    await s.ok('task_cancel', { task_id: b.structuredContent.task_id });
    const st = await s.ok('task_status', { task_id: c.structuredContent.task_id });
    expect(st.structuredContent.task.state).toBe('cancelled');
  });
});

describe('task_output', () => {
  it('reads incrementally with a cursor, and long-polls with wait', async () => {
    const r = await s.ok('bash', { command: `${fixture('counter.sh')} 6 0.2`, background: true });
    const id = r.structuredContent.task_id;
    let cursor = 0;
    let seen = '';
    while (true) {
      const o = await s.ok('task_output', { task_id: id, since: cursor, wait: 5 });
      expect(o.structuredContent.cursor).toBeGreaterThanOrEqual(cursor);
      seen += o.structuredContent.output;
      cursor = o.structuredContent.cursor;
      if (o.structuredContent.state !== 'running' && o.structuredContent.state !== 'pending') break;
    }
    expect(seen.replace(/\n/g, '')).toBe('tick 1tick 2tick 3tick 4tick 5tick 6finished');
  });

  it('tail, grep with line numbers, and a capped read that says how to go on', async () => {
    const r = await s.ok('bash', { command: `${fixture('huge.sh')} 3000` });
    const id = r.structuredContent.task_id;
    const tail = await s.ok('task_output', { task_id: id, tail: 2 });
    expect(tail.structuredContent.output).toMatch(/line 2999 of the huge output fixture\nline 3000 of the huge output fixture$/);
    const grep = await s.ok('task_output', { task_id: id, grep: '^line 12[0-9]{2} ' });
    expect(grep.structuredContent.output.split('\n')[0]).toBe('1200: line 1200 of the huge output fixture');
    expect(grep.structuredContent.output.split('\n')).toHaveLength(100);
    const part = await s.ok('task_output', { task_id: id, since: 0, max_bytes: 1000 });
    expect(part.structuredContent.truncated).toBe(true);
    expect(part.structuredContent.output).toMatch(/^line 1 of/);
    expect(part.structuredContent.output).toMatch(new RegExp(`call task_output with since=${part.structuredContent.cursor} to read on`));
    const next = await s.ok('task_output', { task_id: id, since: part.structuredContent.cursor, max_bytes: 1000 });
    expect(next.structuredContent.output).toMatch(/^line \d+ of the huge/);
  });

  it('until waits for a matching line', async () => {
    const r = await s.ok('bash', { command: fixture('server.sh'), background: true });
    const id = r.structuredContent.task_id;
    const o = await s.ok('task_output', { task_id: id, until: 'ready on', wait: 10 });
    expect(o.structuredContent.matched).toBe(true);
    expect(o.structuredContent.output).toContain('Server ready on');
    await s.ok('task_cancel', { task_id: id });
  });
});

describe('task_input', () => {
  it('detects a prompt waiting for input and answers it', async () => {
    const r = await s.ok('bash', { command: fixture('prompt.sh'), background: true });
    const id = r.structuredContent.task_id;
    await waitFor(async () => (await s.ok('task_status', { task_id: id })).structuredContent.task.waiting_for_input, 'waiting_for_input');
    const sent = await s.ok('task_input', { task_id: id, text: 'y', keys: ['enter'] });
    expect(sent.structuredContent.sent_bytes).toBe(2);
    const st = await s.ok('task_status', { task_id: id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0, waiting_for_input: false });
    const out = await s.ok('task_output', { task_id: id });
    expect(out.structuredContent.output).toContain('you said: y');
  });

  it('a busy command is not "waiting for input"', async () => {
    const r = await s.ok('bash', { command: 'sleep 3', background: true });
    const id = r.structuredContent.task_id;
    await waitFor(async () => (await s.ok('task_status', { task_id: id })).structuredContent.task.state === 'running', 'running');
    await new Promise((res) => setTimeout(res, 400)); // past input.quietAfter (300ms)
    const st = await s.ok('task_status', { task_id: id });
    expect(st.structuredContent.task.waiting_for_input).toBe(false);
    await s.ok('task_cancel', { task_id: id });
  });

  it('ctrl-c through the terminal interrupts the command', async () => {
    const r = await s.ok('bash', { command: 'echo started; sleep 30', background: true });
    const id = r.structuredContent.task_id;
    await s.ok('task_output', { task_id: id, until: 'started', wait: 5 });
    await s.ok('task_input', { task_id: id, keys: ['ctrl-c'] });
    const st = await s.ok('task_status', { task_id: id, wait: 5 });
    expect(st.structuredContent.task.state).toBe('failed');
    expect(st.structuredContent.task.signal ?? String(st.structuredContent.task.exit_code)).toMatch(/SIGINT|130/);
  });
});

describe('retry', () => {
  it('re-runs an ended task as a new task with retry_of set', async () => {
    const r = await s.ok('bash', { command: 'echo "$X"; exit 4', env: { X: 'same env' }, cwd: '/tmp', name: 'flaky' });
    const old = r.structuredContent.task_id;
    const again = await s.ok('task_retry', { task_id: old });
    expect(again.structuredContent.retry_of).toBe(old);
    expect(again.structuredContent.task_id).not.toBe(old);
    const st = await s.ok('task_status', { task_id: again.structuredContent.task_id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ state: 'failed', exit_code: 4, cwd: '/tmp', name: 'flaky', origin: 'vitest', retry_of: old });
    expect((await s.ok('task_output', { task_id: again.structuredContent.task_id })).structuredContent.output).toBe('same env');
  });
});

describe('errors a caller can make', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['bash', {}, /command/],
    ['bash', { command: 'true', timeout: 'soon' }, /timeout/],
    ['bash', { command: 'true', cwd: '/no/such/dir' }, /cwd "\/no\/such\/dir" does not exist/],
    ['bash', { command: 'true', until: '([' }, /until: invalid regular expression/],
    ['bash', { command: 'true', env: { 'BAD NAME': 'x' } }, /env: "BAD NAME" is not a valid variable name/],
    ['bg_submit', {}, /command or prompt is required/],
    ['bg_submit', { prompt: 'summarise the repo' }, /no runner to run it/],
    ['bg_submit', { command: 'true', prompt: 'x' }, /either command or prompt, not both/],
    ['task_status', { task_id: '99999' }, /no task with id "99999"/],
    ['task_output', { task_id: '1', grep: '*' }, /grep: invalid regular expression/],
    ['task_input', { task_id: '1', keys: ['hyper'] }, /unknown key "hyper"/],
    ['task_cancel', { task_id: 42 }, /no task with id "42"/],
    ['task_cancel', { task_id: '../1' }, /task_id: "..\/1" is not a task id/],
    ['task_list', { state: 'sleeping' }, /state/],
  ];
  it.each(cases)('%s %j → a clear tool error', async (tool, args, message) => {
    const r = await s.call(tool, args);
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(message);
  });

  it('an id works with or without "#"', async () => {
    const fresh = await s.ok('bash', { command: 'true' });
    const byHash = await s.ok('task_status', { task_id: `#${fresh.structuredContent.task_id}` });
    expect(byHash.structuredContent.task.id).toBe(fresh.structuredContent.task_id);
  });

  it('cancel of a finished task and input to a finished task are errors', async () => {
    const r = await s.ok('bash', { command: 'true' });
    const id = r.structuredContent.task_id;
    const c = await s.call('task_cancel', { task_id: id });
    expect(c.isError).toBe(true);
    expect(text(c)).toMatch(/already ended \(done\); nothing to cancel/);
    const i = await s.call('task_input', { task_id: id, text: 'x' });
    expect(i.isError).toBe(true);
    expect(text(i)).toMatch(/is done, not running/);
  });

  it('the server still answers after all of that', async () => {
    const r = await s.ok('task_list', {});
    expect(r.structuredContent.total).toBeGreaterThan(0);
  });
});
