/**
 * Issue 26, item 7: no process outlives its task, whatever it does to its
 * environment (unset BGBASH_TASK, env -i), session (setsid, setsid -f) or
 * parents (a double fork re-parents it away from the task's tree). Each task
 * runs in its own cgroup (run/task-cgroup.ts). Real processes, seen with ps.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArgs } from '../helpers/procs.js';
import path from 'node:path';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let seq = 0;
/** A number on no other command line: `sleep <token>` is findable with ps. */
const token = (): string => `${5000 + (process.pid % 1000)}.${Date.now() % 100000}${++seq}`;

/** Ways a process leaves its task's tree, session and marker. */
const ESCAPES: Array<[string, (tok: string) => string]> = [
  ['unset BGBASH_TASK; setsid … & disown', (tok) => `unset BGBASH_TASK; setsid /bin/sleep ${tok} >/dev/null 2>&1 </dev/null & disown`],
  ['BGBASH_TASK=x setsid -f', (tok) => `BGBASH_TASK=x setsid -f /bin/sleep ${tok} >/dev/null 2>&1 </dev/null`],
  ['a double fork with a cleared environment', (tok) => `env -i /usr/bin/setsid -f /bin/sh -c '/bin/sleep ${tok} >/dev/null 2>&1 </dev/null & exit 0'`],
];

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ set: { 'background.killGrace': '300ms' } });
});
afterAll(async () => {
  await s.close();
});

describe('escapees', () => {
  it('this machine gives each task a cgroup (else these tests cannot pass: mount cgroup2, or run where it is delegated)', () => {
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    expect(own, 'no cgroup v2 hierarchy: /proc/self/cgroup has no "0::" line').not.toBeNull();
  });

  it.each(ESCAPES)('%s: ended when the foreground command that started it ends', async (_, escape) => {
    const tok = token();
    const r = await s.ok('bash', { command: `${escape(tok)}; sleep 0.3; echo started` });
    expect(r.structuredContent).toMatchObject({ state: 'done', output: 'started' });
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0, `sleep ${tok} to be gone; ps: ${JSON.stringify(withArgs(`sleep ${tok}`))}`, 5000);
  });

  it.each(ESCAPES)('%s: ended when its background task is cancelled', async (_, escape) => {
    const tok = token();
    const r = await s.ok('bash', { command: `${escape(tok)}; sleep 60`, background: true });
    await waitFor(() => withArgs(`sleep ${tok}`).length === 1, `sleep ${tok} to start`, 10_000);
    await s.ok('task_cancel', { task_id: r.structuredContent.task_id });
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0, `sleep ${tok} to be gone; ps: ${JSON.stringify(withArgs(`sleep ${tok}`))}`, 5000);
  });

  it('a prompt task\'s agent CLI that leaves a double-forked process with a cleared environment: ended with the task', async () => {
    const tok = token();
    const dir = tempDir();
    const cfg = path.join(dir, 'bgbash.config.json');
    // An "agent CLI" that starts an escapee, then answers.
    const agent = `env -i /usr/bin/setsid -f /bin/sh -c '/bin/sleep ${tok} >/dev/null 2>&1 </dev/null & exit 0'; sleep 0.3; echo "answer: {prompt}"`;
    fs.writeFileSync(cfg, JSON.stringify({ runners: { leaky: { command: ['/bin/sh', '-c', agent], parse: 'text' } } }));
    const t = await startServer({ dataDir: dir, env: { BGBASH_CONFIG: cfg } });
    try {
      const r = await t.ok('bg_submit', { prompt: 'hi', runner: 'leaky' });
      const st = await t.ok('task_status', { task_id: r.structuredContent.task_id, wait: 20 });
      expect(st.structuredContent.task).toMatchObject({ state: 'done', result: 'answer: hi' });
      await waitFor(() => withArgs(`sleep ${tok}`).length === 0, `sleep ${tok} to be gone; ps: ${JSON.stringify(withArgs(`sleep ${tok}`))}`, 5000);
    } finally {
      await t.close();
    }
  });

  it('all of them at once, then what owns the tasks (the daemon) is killed with -9: the watchdog ends every one', async () => {
    const t = await startServer({ set: { 'background.killGrace': '300ms' } });
    const toks = ESCAPES.map(() => token());
    for (const [i, [, escape]] of ESCAPES.entries()) await t.ok('bash', { command: `${escape(toks[i])}; sleep 60`, background: true });
    for (const tok of toks) await waitFor(() => withArgs(`sleep ${tok}`).length === 1, `sleep ${tok} to start`, 10_000);
    await t.crash();
    for (const tok of toks) await waitFor(() => withArgs(`sleep ${tok}`).length === 0, `sleep ${tok} to be gone after kill -9; ps: ${execFileSync('ps', ['-ef'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tok)).join(' | ')}`, 10_000);
    await t.close().catch(() => undefined);
  });
});
