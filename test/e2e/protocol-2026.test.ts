/**
 * Protocol 2026-07-28 and its tasks extension, through the MCP SDK v2 client
 * pinned to that revision: server/discover, the per-request envelope, task
 * handles for work that runs on, tasks/get with the notice as the completed
 * result (once), tasks/cancel (twice, as Claude Code sends it), handles that
 * survive a server restart. 2025-11-25 clients are covered by the other e2e
 * files, which use the SDK v1 client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilDone, startModern, TASKS_EXTENSION, type ModernServer } from '../helpers/modern.js';
import fs from 'node:fs';
import path from 'node:path';
import { daemonOf, fixture, readRecord, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const textOf = (r: any): string => r.content.map((c: any) => c.text ?? '').join('\n');

describe('2026-07-28 with the tasks extension', () => {
  let s: ModernServer;
  beforeAll(async () => {
    s = await startModern();
  });
  afterAll(async () => {
    await s.close();
  });

  it('answers server/discover on the connection itself: the modern era, the tasks extension, tools', async () => {
    expect(s.client.getProtocolEra()).toBe('modern');
    expect((s.client.getServerCapabilities() as any).extensions[TASKS_EXTENSION]).toEqual({});
    expect(s.client.getServerVersion()?.name).toBe('bgbash');
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['bash', 'bg_submit', 'task_status', 'task_output', 'task_list', 'task_cancel', 'task_retry', 'task_input']);
  });

  it('a foreground command that ends in time is a normal result', async () => {
    const { result } = await s.call('bash', { command: 'echo modern' });
    expect(result.structuredContent).toMatchObject({ state: 'done', exit_code: 0, output: 'modern' });
  });

  it('a background command is a task handle; tasks/get gives the notice as the completed result, once', async () => {
    // It ends when told to, after the 'working' poll: a loaded machine cannot finish it first.
    const gate = path.join(tempDir(), 'go');
    const { handle } = await s.call('bash', { command: `for i in 1 2 3; do echo "step $i"; done; until [ -e ${gate} ]; do sleep 0.05; done; exit 4`, background: true, name: 'three steps' });
    expect(handle).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 500, ttlMs: null });
    // The bgbash id, then a secret a third party cannot guess.
    const [id, secret] = handle.taskId.split('.');
    expect(secret.length).toBeGreaterThanOrEqual(16);
    const working = await s.tasksGet(handle.taskId);
    expect(working).toMatchObject({ taskId: handle.taskId, status: 'working' });
    fs.writeFileSync(gate, '');
    const done = await pollUntilDone(s, handle);
    expect(done.status).toBe('completed');
    expect(done.result.isError).toBe(true);
    expect(textOf(done.result)).toMatch(new RegExp(`^\\[Task #${id} failed\\] three steps — exit code 4 \\(\\d+ms\\)\\nError: exited with code 4\\n  step 1\\n  step 2\\n  step 3\\nMore: task_output \\{task_id: "${id}"\\}`));
    expect(done.result.structuredContent.notices[0]).toMatchObject({ task_id: id, state: 'failed', exit_code: 4 });
    // The next tool result does not tell it again, and neither does the inbox.
    const { result } = await s.call('task_list', {});
    expect(result.structuredContent.notices?.some((n: any) => n.task_id === id) ?? false).toBe(false);
    // A repeated poll answers the same.
    expect(textOf((await s.tasksGet(handle.taskId)).result)).toBe(textOf(done.result));
  });

  it('bg_submit and a yielded foreground run are handles too; the yield says what ran so far', async () => {
    const sub = await s.call('bg_submit', { command: 'echo submitted' });
    expect(sub.handle?.resultType).toBe('task');
    expect((await pollUntilDone(s, sub.handle)).result.isError).toBeUndefined();
    const fg = await s.call('bash', { command: `${fixture('counter.sh')} 30 0.1`, yield_after: 0.5, name: 'counter' });
    expect(fg.handle.statusMessage).toMatch(/tick 1\n[\s\S]*still running after 0.5s/);
    await s.tasksCancel(fg.handle.taskId);
  });

  it('tasks/cancel (twice, as Claude Code sends it) cancels the task; its status is cancelled', async () => {
    const { handle } = await s.call('bash', { command: 'sleep 30', background: true });
    const id = handle.taskId.split('.')[0];
    const [a, b] = await Promise.all([s.tasksCancel(handle.taskId), s.tasksCancel(handle.taskId)]);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    const t = await pollUntilDone(s, handle);
    expect(t.status).toBe('cancelled');
    await waitFor(() => readRecord(s.dataDir, id).state === 'cancelled', 'the record');
    expect(readRecord(s.dataDir, id).error).toMatch(/tasks\/cancel/);
  });

  it('a task ended by someone else is completed with its notice, marked as an error', async () => {
    const { handle } = await s.call('bash', { command: 'sleep 30', background: true });
    const id = handle.taskId.split('.')[0];
    await s.call('task_cancel', { task_id: id });
    const t = await pollUntilDone(s, handle);
    expect(t.status).toBe('completed');
    expect(t.result.isError).toBe(true);
    expect(textOf(t.result)).toMatch(new RegExp(`^\\[Task #${id} cancelled\\] sleep 30`));
  });

  it('notifications/tasks go to a subscriptions/listen that named the handle', async () => {
    const { handle } = await s.call('bash', { command: 'sleep 0.5; echo listened', background: true });
    // The SDK client keeps only the filter fields it knows in honoredFilter: read the acknowledgement off the wire.
    const sub = await s.client.listen({ taskIds: [handle.taskId, 'not-ours'] } as never);
    const ack = s.notifications.find((n) => n.method === 'notifications/subscriptions/acknowledged' && n.params.notifications.taskIds);
    expect(ack.params.notifications.taskIds).toEqual([handle.taskId]);
    const done = await waitFor(() => s.notifications.find((n) => n.method === 'notifications/tasks' && n.params.taskId === handle.taskId && n.params.status === 'completed'), 'notifications/tasks, completed');
    expect(done.params._meta['io.modelcontextprotocol/subscriptionId']).toBe(ack.params._meta['io.modelcontextprotocol/subscriptionId']);
    expect(textOf(done.params.result)).toMatch(/\n {2}listened\n/);
    await sub.close();
    // The poll still delivers it.
    expect(textOf((await s.tasksGet(handle.taskId)).result)).toMatch(/\n {2}listened\n/);
  });

  it('unknown handles are invalid params; a request without the extension is refused', async () => {
    await expect(s.tasksGet('999.AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: -32602 });
    await expect(s.tasksGet('../../etc/passwd')).rejects.toMatchObject({ code: -32602 });
    const { handle } = await s.call('bg_submit', { command: 'true' });
    const plain = await startModern({ tasks: false, dataDir: s.dataDir });
    try {
      await expect(plain.tasksGet(handle.taskId)).rejects.toMatchObject({ code: -32021 });
      // No extension, no handle: a normal result.
      const { result } = await plain.call('bash', { command: 'sleep 0.1', background: true });
      expect(result.structuredContent.task_id).toBeDefined();
    } finally {
      await plain.close();
    }
  });
});

describe('tasks extension: exactly once, and across a restart', { timeout: 60_000 }, () => {
  it('a handle still answers after the server restarts, from the records', async () => {
    const first = await startModern({ flags: ['--session', 'resume-me'] });
    const { handle } = await first.call('bash', { command: 'echo before restart', background: true });
    await waitFor(async () => (await first.call('task_status', { task_id: handle.taskId.split('.')[0] })).result.structuredContent.task.state === 'done', 'the task to end');
    await first.close();
    // A restart: the daemon that served the first session is gone (its idle exit) before the second starts one.
    await waitFor(() => daemonOf(first.dataDir) === null, 'the daemon to exit');
    const second = await startModern({ dataDir: first.dataDir, flags: ['--session', 'resume-me'] });
    try {
      const t = await second.tasksGet(handle.taskId);
      expect(t.status).toBe('completed');
      expect(textOf(t.result)).toContain('[Task #');
    } finally {
      await second.close();
    }
  });

  it('wake latency: from process exit to a poller at pollIntervalMs reading the result (reported)', async () => {
    const s = await startModern();
    try {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { handle } = await s.call('bash', { command: 'sleep 0.3; date +%s%3N', background: true });
        const done = await pollUntilDone(s, handle);
        const exitMs = Number(/\n {2}(\d{13})\n/.exec(textOf(done.result))?.[1]);
        samples.push(Date.now() - exitMs);
      }
      samples.sort((a, b) => a - b);
      process.stderr.write(`tasks-extension wake latency (exit → poller has the notice, poll 500 ms): median ${samples[2]} ms, max ${samples[4]} ms\n`);
      expect(samples.every((n) => Number.isFinite(n))).toBe(true);
    } finally {
      await s.close();
    }
  });
});
