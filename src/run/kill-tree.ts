/**
 * Ending a task's whole process tree: SIGTERM to every member, then SIGKILL
 * after a grace period to whatever is still alive. Members are found again on
 * each round, so a child forked during the grace period is caught too.
 * The tree comes from the process table (parent chain + group + session +
 * the environment marker; run/process-table.ts): /proc on Linux, ps elsewhere.
 */
import { taskProcesses, type PidFloor, type ProcInfo } from './process-table.js';

export interface KillOptions {
  graceMs: number;
  /** Marker value the task's processes carry (see proc.ts). */
  marker: string | null;
  /** Start time (the table's unit) of the task's first process: nothing older belongs to it. */
  since?: number | null;
  /** Where in the pid space its processes are (see PidFloor). */
  floor?: PidFloor | null;
}

function signalAll(procs: ProcInfo[], signal: NodeJS.Signals): void {
  // Stop the tree first so nothing forks between the signals of one round.
  for (const p of procs) {
    try {
      process.kill(p.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + ms;
    const tick = (): void => {
      if (check()) return resolve(true);
      if (Date.now() >= deadline) return resolve(false);
      setTimeout(tick, Math.min(50, Math.max(1, deadline - Date.now())));
    };
    tick();
  });
}

/** Ends everything the task started. Resolves once nothing of it is left (or SIGKILL was sent). */
export async function killTree(rootPid: number | null, opts: KillOptions): Promise<void> {
  const members = (): ProcInfo[] => taskProcesses(rootPid, opts.marker, opts.since ?? null, opts.floor ?? null);
  const first = members();
  if (first.length === 0) return;
  signalAll(first, 'SIGTERM');
  // A stopped job would never see SIGTERM.
  signalAll(first, 'SIGCONT');
  const gone = await waitFor(() => members().length === 0, opts.graceMs);
  if (gone) return;
  for (let round = 0; round < 5; round++) {
    const left = members();
    if (left.length === 0) return;
    signalAll(left, 'SIGKILL');
    if (await waitFor(() => members().length === 0, 200)) return;
  }
}
