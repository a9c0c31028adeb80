/**
 * BGBASH_PROCESS_TABLE=ps reaches every helper process (issue 24 item 1):
 * the task owner (daemon) reads ps, its watchdog is started with the
 * variable, and no spawner runs (it needs /proc: the owner starts tasks
 * itself, as on macOS). Checked with ps and the watchdog's own environment.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ps } from '../helpers/procs.js';
import { readRecord, startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close().catch(() => undefined);
  s = null;
});

/** A process's environment as `ps e` shows it after its command (the user's own processes). */
const envOf = (pid: number): string => execFileSync('ps', ['e', '-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });

describe.runIf(process.platform === 'linux')('BGBASH_PROCESS_TABLE=ps', () => {
  it('the watchdog gets it, no spawner runs, and the task is the owner\'s own child', async () => {
    s = await startServer({ env: { BGBASH_PROCESS_TABLE: 'ps' } });
    const id = (await s.ok('bash', { command: 'sleep 100', background: true })).structuredContent.task_id;
    const pid = await waitFor(() => readRecord(s!.dataDir, id).pid as number | undefined, 'the task to run');
    const owner = s.owner();
    const watchdog = await waitFor(() => ps().find((r) => r.ppid === owner && r.args.includes('watchdog.js')), 'the watchdog');
    expect(envOf(watchdog.pid)).toMatch(/ BGBASH_PROCESS_TABLE=ps( |$)/m);
    expect(ps().filter((r) => r.args.includes('spawner-process.js') && r.ppid === owner)).toEqual([]);
    // The task's shell (or what it exec'd) is a child of the owner itself.
    expect(ps().find((r) => r.pid === pid)?.ppid).toBe(owner);
    await s.ok('task_cancel', { task_id: id });
    expect((await s.ok('task_status', { task_id: id, wait: 10 })).structuredContent.task.state).toBe('cancelled');
  });
});
