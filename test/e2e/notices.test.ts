/** Completion notices reach the agent by every path, through the real SDK client over stdio. */
import { LoggingMessageNotificationSchema, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonOf, fixture, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Calls a read-only tool until a result carries a notice for the task; returns that result. */
async function nextNotice(s: TestServer, taskId: string): Promise<any> {
  return waitFor(async () => {
    const r = await s.ok('task_list', { limit: 1 });
    return r.structuredContent.notices?.some((n: any) => n.task_id === taskId) ? r : null;
  }, `a notice for task ${taskId}`);
}

describe('piggy-backed notices (every client)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ set: { 'notices.channel': false } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('a background task that ends is announced once, on the next tool result', async () => {
    const r = await s.ok('bash', { command: 'for i in 1 2 3 4 5 6 7; do echo "line $i"; done; exit 3', background: true, name: 'seven lines' });
    const id = r.structuredContent.task_id;
    const got = await nextNotice(s, id);
    const notice = got.structuredContent.notices.find((n: any) => n.task_id === id);
    // The model's view: compact, the text says the rest.
    expect(notice).toEqual({ task_id: id, state: 'failed', exit_code: 3, text: expect.any(String) });
    expect(notice.text).toMatch(new RegExp(`^\\[Task #${id} failed\\] seven lines — exit code 3 \\(\\d+ms\\)\\nError: exited with code 3\\n  line 3\\n  line 4\\n  line 5\\n  line 6\\n  line 7\\nMore: task_output \\{task_id: "${id}"\\}`));
    expect(text(got)).toContain(`[Task #${id} failed] seven lines`);
    // Not repeated.
    const after = await s.ok('task_list', {});
    expect(after.structuredContent.notices).toBeUndefined();
  });

  it('a completed task reads "completed"; a cancelled one says so', async () => {
    const a = await s.ok('bg_submit', { command: 'echo ok' });
    const n = (await nextNotice(s, a.structuredContent.task_id)).structuredContent.notices.find((x: any) => x.task_id === a.structuredContent.task_id);
    expect(n.text).toMatch(new RegExp(`^\\[Task #${a.structuredContent.task_id} completed\\] echo ok — exit code 0`));
    const b = await s.ok('bg_submit', { command: 'sleep 30' });
    await s.ok('task_cancel', { task_id: b.structuredContent.task_id });
    const c = (await nextNotice(s, b.structuredContent.task_id)).structuredContent.notices.find((x: any) => x.task_id === b.structuredContent.task_id);
    expect(c.text).toMatch(new RegExp(`^\\[Task #${b.structuredContent.task_id} cancelled\\] sleep 30 — `));
    expect(c.text).toMatch(/\nError: cancelled by the agent/);
  });

  it('no notice for what the agent already saw end: a foreground result, a task_status', async () => {
    const fg = await s.ok('bash', { command: 'echo fg' });
    const bg = await s.ok('bash', { command: 'sleep 0.2', background: true });
    const st = await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 5 });
    expect(st.structuredContent.task.state).toBe('done');
    const marker = await s.ok('bg_submit', { command: 'true' });
    const got = await nextNotice(s, marker.structuredContent.task_id);
    const ids = got.structuredContent.notices.map((n: any) => n.task_id);
    expect(ids).not.toContain(fg.structuredContent.task_id);
    expect(ids).not.toContain(bg.structuredContent.task_id);
  });

  it('a detached foreground run is announced when it ends', async () => {
    const r = await s.ok('bash', { command: 'sleep 0.6; echo late', yield_after: 0.2 });
    expect(r.structuredContent.detached).toBe('yield');
    const n = (await nextNotice(s, r.structuredContent.task_id)).structuredContent.notices.find((x: any) => x.task_id === r.structuredContent.task_id);
    expect(n.text).toContain('  late');
  });
});

describe('pushed notices', () => {
  let s: TestServer;
  const logs: any[] = [];
  const channel: any[] = [];
  beforeAll(async () => {
    // Channel events only when the user says their Claude Code shows them (it does not declare it).
    s = await startServer({ set: { 'notices.channel': true } });
    s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    s.client.fallbackNotificationHandler = async (n) => void channel.push(n);
  });
  afterAll(async () => {
    await s.close();
  });

  it('declares the channel capability and explains notices in its instructions', () => {
    expect((s.client.getServerCapabilities() as any).experimental['claude/channel']).toEqual({});
    expect(s.client.getInstructions()).toMatch(/\[Task #12 completed\]/);
  });

  it('logging (level notice, logger bgbash) and the Claude channel carry each notice', async () => {
    const r = await s.ok('bg_submit', { command: 'echo pushed; exit 2' });
    const id = r.structuredContent.task_id;
    const log = await waitFor(() => logs.find((l) => String(l.data).startsWith(`[Task #${id} failed]`)), 'a logging notice');
    expect(log).toMatchObject({ level: 'notice', logger: 'bgbash' });
    const ch = await waitFor(() => channel.find((c) => c.method === 'notifications/claude/channel' && c.params.meta.task_id === id), 'a channel event');
    expect(ch.params.meta).toEqual({ task_id: id, state: 'failed', exit_code: '2' });
    expect(Object.keys(ch.params.meta).every((k) => /^[A-Za-z0-9_]+$/.test(k))).toBe(true);
    expect(ch.params.content).toMatch(new RegExp(`^\\[Task #${id} failed\\] echo pushed; exit 2 — exit code 2`));
  });

  it('honours logging/setLevel', async () => {
    await s.client.setLoggingLevel('error');
    const r = await s.ok('bg_submit', { command: 'true' });
    const id = r.structuredContent.task_id;
    await waitFor(() => channel.find((c) => c.params?.meta?.task_id === id), 'the channel event');
    expect(logs.find((l) => String(l.data).startsWith(`[Task #${id} `))).toBeUndefined();
    await s.client.setLoggingLevel('debug');
  });

  it('notify_on sends a notice for each matching line while the task runs', async () => {
    const r = await s.ok('bash', { command: fixture('server.sh'), background: true, notify_on: 'ready on', name: 'dev' });
    const id = r.structuredContent.task_id;
    const log = await waitFor(() => logs.find((l) => String(l.data).startsWith(`[Task #${id} output]`)), 'a line notice');
    expect(log.data).toBe(`[Task #${id} output] dev — matched /ready on/: Server ready on http://127.0.0.1:5173`);
    await s.ok('task_cancel', { task_id: id });
    const bad = await s.call('bash', { command: 'true', notify_on: '(' });
    expect(text(bad)).toMatch(/notify_on: invalid regular expression/);
  });

  it('progress notifications while a foreground call runs', async () => {
    const progress: any[] = [];
    const r = await s.client.callTool({ name: 'bash', arguments: { command: `${fixture('counter.sh')} 8 0.1` } }, undefined, { onprogress: (p) => void progress.push(p) });
    expect((r.structuredContent as any).state).toBe('done');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p, i) => i === 0 || p.progress >= progress[i - 1].progress)).toBe(true);
    expect(progress.some((p) => /^tick \d$/.test(p.message))).toBe(true);
  });

  it('tasks are resources; subscribers hear of every state change; new tasks change the list', async () => {
    const updated: string[] = [];
    let listChanged = 0;
    s.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    s.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
    const r = await s.ok('bg_submit', { command: 'sleep 0.3; echo res' });
    const id = r.structuredContent.task_id;
    const uri = `bgbash://tasks/${id}`;
    await s.client.subscribeResource({ uri });
    await waitFor(() => updated.includes(uri), 'resources/updated');
    await waitFor(async () => JSON.parse((await s.client.readResource({ uri })).contents[0].text as string).state === 'done', 'the task to end');
    const rec = JSON.parse((await s.client.readResource({ uri })).contents[0].text as string);
    expect(rec).toMatchObject({ id, state: 'done', exit_code: 0, output_tail: 'res' });
    expect(listChanged).toBeGreaterThan(0);
    const all = JSON.parse((await s.client.readResource({ uri: 'bgbash://tasks' })).contents[0].text as string);
    expect(all[0].id).toBe(id);
    const { resourceTemplates } = await s.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('bgbash://tasks/{id}');
  });

  it('latency from process exit to the notice arriving (reported, not asserted)', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await s.ok('bg_submit', { command: 'sleep 0.05; date +%s%N' });
      const id = r.structuredContent.task_id;
      const log = await waitFor(() => logs.find((l) => String(l.data).startsWith(`[Task #${id} completed]`)), 'the notice', 10_000, 2);
      const arrived = Date.now();
      const exitedAt = Number(/\n {2}(\d{19})/.exec(log.data)![1]) / 1e6;
      samples.push(arrived - exitedAt);
    }
    samples.sort((a, b) => a - b);
    console.log(`notice latency (exit → client), ms: p50 ${samples[7].toFixed(1)}, max ${samples[14].toFixed(1)}`);
    expect(samples[7]).toBeGreaterThan(0);
  });
});

describe('the inbox survives a restart', () => {
  it('a task closed by recovery is announced to the next server of the same session', async () => {
    const a = await startServer({ env: { BGBASH_SESSION: 'agent-1' } });
    const r = await a.ok('bg_submit', { command: 'sleep 60' });
    // The daemon that owns the task dies, and with it the agent's front-end (stopped first, so it cannot start another).
    const daemon = daemonOf(a.dataDir)!;
    process.kill(a.pid, 'SIGSTOP');
    process.kill(daemon.pid, 'SIGKILL');
    process.kill(a.pid, 'SIGKILL');
    for (const pid of [a.pid, daemon.pid]) {
      await waitFor(() => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 'the server to die');
    }
    const b = await startServer({ dataDir: a.dataDir, env: { BGBASH_SESSION: 'agent-1' } });
    const got = await b.ok('task_list', {});
    const n = got.structuredContent.notices.find((x: any) => x.task_id === r.structuredContent.task_id);
    expect(n.text).toMatch(/failed\] sleep 60 — .*\nError: the bgbash server that ran this task .* exited while it was running/);
    await b.close();
  });
});

describe('MCP tasks utility (task-augmented tools/call)', () => {
  let s: TestServer;
  const statuses: Array<{ taskId: string; status: string }> = [];
  beforeAll(async () => {
    s = await startServer({ clientName: 'vscode', capabilities: { tasks: {} } });
    s.client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/tasks/status') statuses.push(n.params as any);
    };
  });
  afterAll(async () => {
    await s.close();
  });

  it('bash and bg_submit advertise optional task support', async () => {
    const { tools } = await s.client.listTools();
    const exec = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
    expect(exec.bash).toBe('optional');
    expect(exec.bg_submit).toBe('optional');
    expect((s.client.getServerCapabilities() as any).tasks.requests.tools.call).toEqual({});
  });

  it('a task-augmented bash call: created, polled, completed, result with the exit code and output', async () => {
    const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const seen: string[] = [];
    let result: any;
    for await (const m of s.client.experimental.tasks.callToolStream({ name: 'bash', arguments: { command: 'sleep 0.3; echo via task; exit 2' } }, CallToolResultSchema, { task: { ttl: 60_000 } })) {
      if (m.type === 'taskCreated' || m.type === 'taskStatus') seen.push(m.task.status);
      if (m.type === 'result') result = m.result;
      if (m.type === 'error') throw m.error;
    }
    expect(seen[0]).toBe('working');
    expect(seen[seen.length - 1]).toBe('completed');
    expect(result.structuredContent).toMatchObject({ state: 'failed', exit_code: 2, output: 'via task' });
    const id = result.structuredContent.task_id;
    await waitFor(() => statuses.find((x) => x.taskId === id && x.status === 'completed'), 'notifications/tasks/status');
    const list = await s.client.experimental.tasks.listTasks();
    expect(list.tasks.map((t) => t.taskId)).toContain(id);
    // The agent got the result through the task: no separate notice.
    const after = await s.ok('task_list', {});
    expect(after.structuredContent.notices?.some((n: any) => n.task_id === id) ?? false).toBe(false);
  });

  it('tasks/cancel cancels the bgbash task and its process', async () => {
    const { CreateTaskResultSchema } = await import('@modelcontextprotocol/sdk/experimental/tasks/types.js');
    const created = await s.client.request({ method: 'tools/call', params: { name: 'bg_submit', arguments: { command: 'sleep 30' }, task: {} } }, CreateTaskResultSchema);
    const id = created.task.taskId;
    const c = await s.client.experimental.tasks.cancelTask(id);
    expect(c.status).toBe('cancelled');
    const st = await s.ok('task_status', { task_id: id, wait: 5 });
    expect(st.structuredContent.task).toMatchObject({ state: 'cancelled', error: expect.stringMatching(/tasks\/cancel/) });
    expect((await s.client.experimental.tasks.getTask(id)).status).toBe('cancelled');
  });

  it('a task that timed out is "failed"', async () => {
    const { CreateTaskResultSchema } = await import('@modelcontextprotocol/sdk/experimental/tasks/types.js');
    const created = await s.client.request({ method: 'tools/call', params: { name: 'bash', arguments: { command: 'sleep 30', timeout: 0.3 }, task: {} } }, CreateTaskResultSchema);
    await waitFor(async () => (await s.client.experimental.tasks.getTask(created.task.taskId)).status === 'failed', 'the timeout');
    expect((await s.client.experimental.tasks.getTask(created.task.taskId)).statusMessage).toMatch(/timed out/);
  });
});

describe('deliver_to targets beyond the session', () => {
  let s: TestServer;
  let hook: import('node:http').Server;
  let port = 0;
  const received: any[] = [];
  beforeAll(async () => {
    const http = await import('node:http');
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    port = (hook.address() as import('node:net').AddressInfo).port;
    s = await startServer({ env: { PATH: '/usr/bin:/bin' } });
  });
  afterAll(async () => {
    await s.close();
    hook.close();
  });

  it('webhook: POSTs the notice and the task as JSON', async () => {
    const r = await s.ok('bg_submit', { command: 'echo to the hook', deliver_to: [`webhook:http://127.0.0.1:${port}/done`] });
    const id = r.structuredContent.task_id;
    const got = await waitFor(() => received.find((x) => x.body.task.id === id), 'the webhook');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body.notice.text).toMatch(new RegExp(`^\\[Task #${id} completed\\] echo to the hook`));
    await waitFor(async () => (await s.ok('task_status', { task_id: id })).structuredContent.task.deliveries?.[0]?.ok === true, 'the delivery recorded');
  });

  it('command: runs it with the task as JSON on stdin', async () => {
    const out = path.join(tempDir(), 'delivered.json');
    const r = await s.ok('bg_submit', { command: 'exit 4', deliver_to: [`command:cat > ${out}`] });
    const body = await waitFor(() => (fs.existsSync(out) && fs.readFileSync(out, 'utf8').endsWith('}') ? JSON.parse(fs.readFileSync(out, 'utf8')) : null), 'the command target');
    expect(body.task).toMatchObject({ id: r.structuredContent.task_id, state: 'failed', exit_code: 4 });
  });

  it('a failing target is retried, recorded, and blocks neither the others nor the task', async () => {
    const dead = `webhook:http://127.0.0.1:1/nothing-listens`;
    const r = await s.ok('bg_submit', { command: 'echo still fine', deliver_to: [dead, 'desktop', `webhook:http://127.0.0.1:${port}/second`] });
    const id = r.structuredContent.task_id;
    await waitFor(() => received.find((x) => x.body.task.id === id), 'the working webhook');
    const st = await waitFor(async () => {
      const t = (await s.ok('task_status', { task_id: id })).structuredContent.task;
      return t.deliveries?.length === 3 ? t : null;
    }, 'all three deliveries recorded');
    expect(st.state).toBe('done');
    const byTarget = Object.fromEntries(st.deliveries.map((d: any) => [d.target.replace(/ \(ref [0-9a-f]+\)$/, ''), d]));
    // Webhook URLs are secrets: the task shows them redacted.
    expect(byTarget['webhook:http://127.0.0.1:1/…']).toMatchObject({ ok: false, attempts: 3 });
    expect(byTarget.desktop).toMatchObject({ ok: false, error: expect.stringMatching(/notify-send is not installed/) });
  });

  it('a bad target is a clear error at submit', async () => {
    const r = await s.call('bg_submit', { command: 'true', deliver_to: ['carrier-pigeon'] });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/deliver_to: unknown target "carrier-pigeon"/);
  });
});
