/**
 * The tasks extension owns the notice of a task it handed out a handle for:
 * from the task's end until the client reads the completion with tasks/get,
 * however late it polls, no other path (piggy-back, the Claude Code hooks,
 * the inbox) tells it; a connection that ends unread leaves it for them.
 * Handle files go with their tasks when retention removes them.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startModern, type ModernServer } from '../helpers/modern.js';
import { alive } from '../helpers/procs.js';
import { baseEnv, CLI, startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const textOf = (r: any): string => r.content.map((c: any) => c.text ?? '').join('\n');

/** Every event of the server's control socket (a `subscribe`), as the opencode plugin and the wake hook see them. */
async function controlEvents(s: ModernServer): Promise<{ events: any[]; close: () => void }> {
  const info = fs
    .readdirSync(path.join(s.dataDir, 'servers'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(s.dataDir, 'servers', f), 'utf8')))
    .find((i) => i.pid === s.pid);
  const sock = net.connect(info.socket);
  const events: any[] = [];
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (msg.event) events.push(msg);
      else if (msg.id === 1) events.push({ subscribed: true });
    }
  });
  sock.write(JSON.stringify({ id: 1, verb: 'subscribe', args: {} }) + '\n');
  await waitFor(() => events.some((e) => e.subscribed), 'the control subscription', 30_000);
  return { events, close: () => sock.destroy() };
}

/** `bgbash hook claude-code` for the session (UserPromptSubmit: it drains the inbox into additionalContext). */
function claudeHook(dataDir: string, session: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, 'hook', 'claude-code'], { env: baseEnv({ BGBASH_DATA_DIR: dataDir, BGBASH_SESSION: session }) }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(JSON.stringify({ session_id: 'c', hook_event_name: 'UserPromptSubmit', prompt: 'next' }));
  });
}

const inboxHas = (dataDir: string, session: string, id: string): boolean => fs.existsSync(path.join(dataDir, 'inbox', session, `${id}.json`));

describe('tasks extension: the notice is the poller’s until it reads it', { timeout: 120_000 }, () => {
  it('a late poller gets it once; meanwhile no piggy-back, hook or inbox tells it (old release: 5 s)', async () => {
    const s = await startModern({ flags: ['--session', 'late-poller'] });
    const ctl = await controlEvents(s);
    try {
      const { handle } = await s.call('bash', { command: 'echo late-marker', background: true, name: 'late' });
      const id = handle.taskId.split('.')[0];
      await waitFor(() => ctl.events.find((e) => e.event === 'notice' && e.notice.task_id === id), 'the end notice to be published', 30_000);
      const published = Date.now();
      // Well past the old 5 s hold, every other path comes up empty, again and again.
      let rounds = 0;
      while (Date.now() - published < 6_500 || rounds < 2) {
        const { result } = await s.call('bash', { command: 'true' });
        expect(result.structuredContent.notices ?? []).toEqual([]);
        expect(await claudeHook(s.dataDir, 'late-poller')).not.toContain(`[Task #${id} `);
        expect(inboxHas(s.dataDir, 'late-poller', id)).toBe(false);
        rounds++;
      }
      const done = await s.tasksGet(handle.taskId);
      expect(done.status).toBe('completed');
      expect(textOf(done.result)).toMatch(new RegExp(`^\\[Task #${id} completed\\] late — exit code 0[\\s\\S]*\\n {2}late-marker\\n`));
      // Read: told once, and never again anywhere.
      const { result } = await s.call('bash', { command: 'true' });
      expect(result.structuredContent.notices ?? []).toEqual([]);
      expect(await claudeHook(s.dataDir, 'late-poller')).toBe('');
    } finally {
      ctl.close();
      await s.close();
    }
  });

  it('a connection that ends without reading it leaves it to the session’s other paths', async () => {
    const first = await startModern({ flags: ['--session', 'gone-poller'] });
    const ctl = await controlEvents(first);
    const { handle } = await first.call('bash', { command: 'echo gone-marker', background: true, name: 'gone' });
    const id = handle.taskId.split('.')[0];
    await waitFor(() => ctl.events.find((e) => e.event === 'notice' && e.notice.task_id === id), 'the end notice to be published', 30_000);
    expect(inboxHas(first.dataDir, 'gone-poller', id)).toBe(false);
    ctl.close();
    await first.close();
    await waitFor(() => inboxHas(first.dataDir, 'gone-poller', id), 'the unread notice in the inbox', 30_000);
    // The next server of the session puts it in front of its first result, once.
    const next = await startServer({ dataDir: first.dataDir, env: { BGBASH_SESSION: 'gone-poller' } });
    try {
      const r = await next.ok('bash', { command: 'true' });
      expect(r.structuredContent.notices.map((n: any) => n.task_id)).toEqual([id]);
      expect(r.structuredContent.notices[0].text).toContain('gone-marker');
      expect((await next.ok('bash', { command: 'true' })).structuredContent.notices ?? []).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('a client that cancels with tasks/cancel reads "cancelled" and is not told again elsewhere', async () => {
    const s = await startModern({ flags: ['--session', 'cancel-poller'] });
    const ctl = await controlEvents(s);
    try {
      const { handle } = await s.call('bash', { command: 'sleep 30', background: true });
      const id = handle.taskId.split('.')[0];
      await s.tasksCancel(handle.taskId);
      await waitFor(() => ctl.events.find((e) => e.event === 'notice' && e.notice.task_id === id), 'the end notice to be published', 30_000);
      expect((await s.tasksGet(handle.taskId)).status).toBe('cancelled');
      expect((await s.call('bash', { command: 'true' })).result.structuredContent.notices ?? []).toEqual([]);
      expect(await claudeHook(s.dataDir, 'cancel-poller')).toBe('');
      // Read as cancelled, so nothing is owed: the session ending leaves no notice behind for the next server.
      ctl.close();
      await s.close();
      await waitFor(() => alive([s.pid]).length === 0, 'the server to exit', 30_000);
      expect(inboxHas(s.dataDir, 'cancel-poller', id)).toBe(false);
    } finally {
      ctl.close();
      await s.close();
    }
  });
});

describe('retention removes handle files with their tasks', { timeout: 120_000 }, () => {
  it('a pruned task loses its handle; a handle without its task goes; other entries stay', async () => {
    const a = await startModern();
    const handles: string[] = [];
    for (let i = 0; i < 3; i++) handles.push((await a.call('bg_submit', { command: `echo ${i}` })).handle.taskId);
    const ids = handles.map((h) => h.split('.')[0]);
    const dir = path.join(a.dataDir, 'mcp-tasks');
    await waitFor(async () => {
      for (const h of handles) if ((await a.tasksGet(h)).status !== 'completed') return false;
      return true;
    }, 'the three tasks to end', 30_000);
    expect(fs.readdirSync(dir).sort()).toEqual(ids.map((id) => `${id}.json`).sort());
    await a.close();
    await waitFor(() => fs.readdirSync(path.join(a.dataDir, 'servers')).length === 0, 'the first server to unregister', 30_000);
    // Left by an older bgbash that did not prune them, and things that are not handle files.
    fs.writeFileSync(path.join(dir, '987654.json'), '{}');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep');
    const outside = path.join(a.dataDir, 'outside.json');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, path.join(dir, '987655.json'));
    const b = await startServer({ dataDir: a.dataDir, set: { 'retention.maxTasks': 1 } });
    try {
      expect(fs.readdirSync(path.join(a.dataDir, 'tasks'))).toEqual([ids[2]]);
      expect(fs.readdirSync(dir).sort()).toEqual([`${ids[2]}.json`, '987655.json', 'notes.txt'].sort());
      expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
    } finally {
      await b.close();
    }
  });
});
