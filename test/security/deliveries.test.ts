/**
 * Issue #12, case 12: deliveries. Webhook and command targets got the whole
 * record, env values included (an API_KEY was POSTed); and a deliver_to
 * webhook was silently not sent when the agent had already seen the end
 * through task_status {wait}. Deliveries are for people and systems outside
 * the session: no env values, and every ended task goes out, seen or not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServices, type FakeServices } from '../helpers/fake-services.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const KEY = 'sk-live-0123456789abcdef';

let fake: FakeServices;
let s: TestServer;

beforeAll(async () => {
  fake = await startFakeServices();
  s = await startServer({ set: { 'background.defaultDeliverTo': JSON.stringify([`webhook:${'URL'}/hook/default`]).replace('URL', fake.url) } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

const forTask = (prefix: string, id: string) => () => fake.to(prefix).find((r) => JSON.parse(r.body).task?.id === id);

describe('delivery payloads never carry env values', () => {
  it('webhook and command targets get env names, not values; output that printed a value shows $NAME', async () => {
    const out = path.join(tempDir(), 'delivered.json');
    const r = await s.ok('bg_submit', {
      command: 'echo "the key is $API_KEY"; exit 2',
      env: { API_KEY: KEY, REGION: 'eu-west-1' },
      deliver_to: [`webhook:${fake.url}/hook/env`, `command:cat > ${out}`],
    });
    const id = r.structuredContent.task_id;
    const hook = await waitFor(forTask('/hook/env', id), 'the webhook');
    const cmd = await waitFor(() => (fs.existsSync(out) && fs.readFileSync(out, 'utf8').endsWith('}') ? fs.readFileSync(out, 'utf8') : null), 'the command target');
    for (const raw of [hook.body, cmd]) {
      expect(raw).not.toContain(KEY);
      expect(raw).not.toContain('eu-west-1');
      const body = JSON.parse(raw);
      expect(body.task.env).toEqual({ API_KEY: '[redacted]', REGION: '[redacted]' });
      expect(body.task).toMatchObject({ id, state: 'failed', exit_code: 2 });
      expect(body.notice.text).toContain('the key is $API_KEY');
    }
  });

  it('chat messages carry no env values either', async () => {
    const r = await s.ok('bg_submit', { command: 'echo "token=$API_KEY"', env: { API_KEY: KEY }, deliver_to: [`slack:${fake.url}/services/T/B/env`] });
    const id = r.structuredContent.task_id;
    const chat = await waitFor(() => fake.to('/services/T/B/env').find((x) => x.body.includes(`Task #${id} `)), 'the Slack target');
    expect(chat.body).not.toContain(KEY);
    expect(JSON.parse(chat.body).text).toContain('token=$API_KEY');
  });
});

describe('deliver_to fires for every ended task, whatever the agent saw', () => {
  it('a task whose end the agent saw through task_status {wait} is still delivered', async () => {
    const r = await s.ok('bg_submit', { command: 'sleep 0.3; echo seen-by-agent' });
    const id = r.structuredContent.task_id;
    const st = await s.ok('task_status', { task_id: id, wait: 20 });
    expect(st.structuredContent.task.state).toBe('done');
    const got = await waitFor(forTask('/hook/default', id), 'the default webhook');
    expect(JSON.parse(got.body).notice.text).toContain('seen-by-agent');
  });

  it('a foreground bash run, whose result the agent got, is delivered too', async () => {
    const r = await s.ok('bash', { command: 'echo foreground-end' });
    const id = r.structuredContent.task_id ?? r.structuredContent.task?.id;
    expect(id).toBeTruthy();
    const got = await waitFor(forTask('/hook/default', String(id)), 'the default webhook');
    expect(JSON.parse(got.body).notice.text).toContain('foreground-end');
  });

  it('a task read with task_output before its notice went out is delivered once', async () => {
    const r = await s.ok('bg_submit', { command: 'echo read-first' });
    const id = r.structuredContent.task_id;
    await s.ok('task_output', { task_id: id, wait: 20 });
    await waitFor(forTask('/hook/default', id), 'the default webhook');
    const st = await waitFor(async () => (await s.ok('task_status', { task_id: id })).structuredContent.task.deliveries?.length === 1, 'the delivery recorded');
    expect(st).toBe(true);
    expect(fake.to('/hook/default').filter((x) => JSON.parse(x.body).task.id === id)).toHaveLength(1);
  });
});

describe('background.defaultDeliverTo and a task\'s own deliver_to (issue 27)', () => {
  it('the defaults are default notification channels: a task\'s own targets add to them, the record lists both', async () => {
    const r = await s.ok('bg_submit', { command: 'echo both-targets', deliver_to: [`webhook:${fake.url}/hook/own`] });
    const id = r.structuredContent.task_id;
    await waitFor(forTask('/hook/default', id), 'the default webhook');
    await waitFor(forTask('/hook/own', id), "the task's own webhook");
    const task = await waitFor(async () => {
      const t = (await s.ok('task_status', { task_id: id })).structuredContent.task;
      return t.deliveries?.length === 2 ? t : null;
    }, 'both deliveries recorded');
    expect(task.deliver_to).toHaveLength(2);
    expect(task.deliver_to.join(' ')).toMatch(/ref [0-9a-f]{12}/);
    // A default named again by the task is sent once.
    const again = await s.ok('bg_submit', { command: 'echo once', deliver_to: [`webhook:${fake.url}/hook/default`] });
    const id2 = again.structuredContent.task_id;
    await waitFor(forTask('/hook/default', id2), 'the default webhook');
    const t2 = await waitFor(async () => (await s.ok('task_status', { task_id: id2 })).structuredContent.task.deliveries?.length === 1, 'one delivery recorded');
    expect(t2).toBe(true);
    expect(fake.to('/hook/default').filter((x) => JSON.parse(x.body).task.id === id2)).toHaveLength(1);
  });
});
