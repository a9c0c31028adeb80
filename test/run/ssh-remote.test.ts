/**
 * The script the ssh backend runs on the remote host to end processes, run
 * here with `sh -s` exactly as it runs there. After a kill -9 of a server, the
 * next server's recovery asks every host its unfinished tasks ran on to end
 * whatever carries the dead server's marker: that takes every task of that
 * server, and nothing of another server. (The e2e tests' sshd is on this
 * machine, where the local watchdog sees the "remote" processes too, so only
 * this test can tell the remote reaping from the local one.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { remoteKillScript } from '../../src/run/backends/ssh-remote.js';
import { isAlive } from '../../src/run/process-table.js';
import { waitFor } from '../helpers/wait.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  // Grandchildren too, whatever a failed test left.
  for (const server of ['deadbeef', 'cafef00d']) spawnSync('sh', ['-s'], { input: remoteKillScript({ server }, null, 0), timeout: 20_000 });
});

/** How many processes carry a marker starting with `prefix`. */
function marked(prefix: string): number {
  const r = spawnSync('sh', ['-c', `grep -lsz "^BGBASH_TASK=${prefix}" /proc/[0-9]*/environ | wc -l`], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

function sleeper(marker: string, ignoreTerm = false): number {
  const command = ignoreTerm ? 'trap "" TERM; sleep 300 & wait' : 'exec sleep 300';
  const child = spawn('sh', ['-c', command], { env: { PATH: process.env.PATH, BGBASH_TASK: marker }, stdio: 'ignore', detached: true });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

it("a dead server's marker ends every process of its tasks, SIGTERM ignored or not, and nothing of another server", async () => {
  const server = 'deadbeef';
  const mine = [sleeper(`${server}:12`), sleeper(`${server}:13`, true)];
  const other = sleeper('cafef00d:12');
  // Every process is up: the exec'd sleep, the trapping shell and its sleep, the other server's.
  await waitFor(() => marked(`${server}:`) === 3 && marked('cafef00d:') === 1, 'the marked processes');
  const r = spawnSync('sh', ['-s'], { input: remoteKillScript({ server }, null, 500), encoding: 'utf8', timeout: 20_000 });
  // The trapping shell's own sleep child carries the marker too: three processes in all.
  expect(r.stdout).toMatch(/^found 3$/m);
  await waitFor(() => mine.every((pid) => !isAlive(pid)) && marked(`${server}:`) === 0, "the dead server's processes to end");
  expect(isAlive(other)).toBe(true);
});

it("one task's marker ends that task only", async () => {
  const task = sleeper('deadbeef:7');
  const sibling = sleeper('deadbeef:70');
  await waitFor(() => marked('deadbeef:7') === 2, 'the marked processes');
  const r = spawnSync('sh', ['-s'], { input: remoteKillScript({ task: 'deadbeef:7' }, null, 500), encoding: 'utf8', timeout: 20_000 });
  expect(r.stdout).toMatch(/^found 1$/m);
  await waitFor(() => !isAlive(task), 'the task to end');
  expect(isAlive(sibling)).toBe(true);
});
