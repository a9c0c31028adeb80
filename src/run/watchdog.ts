/**
 * The watchdog: a small process each server starts with its first local task,
 * holding the read end of a pipe whose write end only the server has. When
 * the server dies — even by `kill -9`, which runs no handler — the pipe
 * closes, and the watchdog ends every process the server's tasks left: those
 * carrying the server's marker, and the process trees, groups and sessions of
 * the task roots the server reported (a process that cleared its environment
 * is still in its task's session). Then it exits. On an orderly shutdown the
 * server has ended everything already; the watchdog finds nothing and exits.
 *
 * Run as: node watchdog.js <server id>; reads "<pid> <starttime>" lines.
 */
import { killTree } from './kill-tree.js';
import { markedProcesses, processTable, type ProcInfo } from './process-table.js';
import { endServerCgroups } from './task-cgroup.js';

/** SIGTERM, then SIGKILL after this: well within the 5 s a task may outlive its server. */
const GRACE_MS = 1500;

/** The root's tree, group and session: only processes started no earlier than the root (pids are reused). */
function rootMembers(procs: ProcInfo[], root: number, since: number): ProcInfo[] {
  const members = new Map<number, ProcInfo>();
  const stack = procs.filter((p) => p.starttime >= since && (p.pid === root || p.pgid === root || p.sid === root));
  while (stack.length) {
    const p = stack.pop()!;
    if (members.has(p.pid)) continue;
    members.set(p.pid, p);
    stack.push(...procs.filter((c) => c.ppid === p.pid && c.starttime >= since));
  }
  return [...members.values()];
}

async function reap(server: string, roots: Map<number, number>): Promise<void> {
  // The server's table: it passes BGBASH_PROCESS_TABLE on.
  const procs = processTable().list();
  const doomed = new Map<number, ProcInfo>();
  for (const p of markedProcesses(`${server}:`)) doomed.set(p.pid, p);
  for (const [root, since] of roots) for (const p of rootMembers(procs, root, since)) doomed.set(p.pid, p);
  doomed.delete(process.pid);
  // And every task cgroup of the server's: what left the tree, its session and the marker (run/task-cgroup.ts).
  await Promise.all([...[...doomed.values()].map((p) => killTree(p.pid, { graceMs: GRACE_MS, marker: null })), endServerCgroups(server, GRACE_MS)]);
}

function main(): void {
  const server = process.argv[2];
  if (!server) process.exit(2);
  const roots = new Map<number, number>();
  let buffered = '';
  let done = false;
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const [pid, since] = line.split(' ').map(Number);
      if (Number.isInteger(pid) && pid > 0 && Number.isInteger(since)) roots.set(pid, since);
    }
  });
  const finish = (): void => {
    if (done) return;
    done = true;
    void reap(server, roots).finally(() => process.exit(0));
  };
  process.stdin.on('end', finish);
  process.stdin.on('close', finish);
  process.stdin.on('error', finish);
}

main();
