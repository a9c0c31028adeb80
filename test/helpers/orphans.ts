/**
 * The orphan scenarios: a task whose tree has everything that tends to
 * survive — grandchildren that ignore SIGTERM, a daemon that escaped with
 * setsid, a background child holding the terminal — ended each way the
 * server ends tasks. Afterwards `ps` must find none of it, by command line,
 * process group or session. Shared by the fault suite and `npm run soak`.
 */
import { expect } from 'vitest';
import { inSessionsOrGroups, running, withArgs } from './procs.js';
import { fixture, startServer, type TestServer } from './server.js';
import { waitFor } from './wait.js';

export const WAYS = ['cancel', 'timeout', 'stdin EOF', 'SIGTERM', 'SIGINT', 'SIGHUP', 'kill -9'] as const;
export type Way = (typeof WAYS)[number];

/**
 * Long enough for the whole tree to come up, and for `ps` to see all of it, before the timeout
 * ends it on a busy machine: 1.5 s was not, at load 20; 8 s was not once in a CI run (2 test
 * files at a time on 2 cores), where the tree was ended before `ps` had seen every part.
 */
const TIMEOUT_S = 15;

let seq = 0;
function token(): string {
  return `${5000 + (process.pid % 1000)}.${Date.now() % 100000}${++seq}`;
}

const gone = (pid: number): boolean => !running(pid);

export async function orphanScenario(way: Way): Promise<void> {
  const tok = token();
  const s: TestServer = await startServer({ set: { 'background.killGrace': '300ms' } });
  let restarted: TestServer | null = null;
  try {
    const command = `${fixture('escapee.sh')} 1000 ${tok}1 & ${fixture('holds-pty.sh')} ${tok}2; ${fixture('stubborn.sh')} ${tok}3`;
    const r = await s.ok('bash', { command, background: true, ...(way === 'timeout' ? { timeout: TIMEOUT_S } : {}) });
    const id = r.structuredContent.task_id;
    await s.ok('task_output', { task_id: id, until: 'ready', wait: 10 });
    const pid: number = (await s.ok('task_status', { task_id: id })).structuredContent.task.pid;
    // Everything is up: the escaped daemon, the child holding the pty, the stubborn tree.
    await waitFor(() => [1, 2, 3].every((n) => withArgs(`sleep ${tok}${n}`).length > 0), 'the whole tree');
    expect(inSessionsOrGroups([pid]).length).toBeGreaterThan(0);
    switch (way) {
      case 'cancel':
        await s.ok('task_cancel', { task_id: id });
        break;
      case 'timeout':
        await s.ok('task_status', { task_id: id, wait: TIMEOUT_S + 20 });
        break;
      case 'stdin EOF':
        await s.close();
        break;
      case 'kill -9':
        await s.crash();
        // The next server to start ends what the dead one left behind.
        restarted = await startServer({ dataDir: s.dataDir, set: { 'background.killGrace': '300ms' } });
        break;
      default:
        process.kill(s.pid, way);
    }
    await waitFor(
      () => [1, 2, 3].every((n) => withArgs(`sleep ${tok}${n}`).length === 0) && inSessionsOrGroups([pid]).length === 0,
      `no process of the task left after ${way}`,
      8000,
    );
  } finally {
    await restarted?.close();
    await s.close().catch(() => undefined);
  }
}
