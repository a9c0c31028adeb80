/**
 * The process table bgbash uses, and what is built on it: a task's tree
 * (parent chain, group, session, environment marker), a dead server's marked
 * processes, whether a pid is still the process it was.
 *
 * /proc where there is one (Linux: run/proc.ts); `ps` and `lsof` elsewhere
 * (run/ps-table.ts). BGBASH_PROCESS_TABLE=ps picks the portable one on Linux
 * too; the helper processes (spawner, watchdog) are given the variable, so a
 * server and its helpers always read the same table.
 */
import { hasProc, procTable } from './proc.js';
import { MARKER_VAR, type PidFloor, type ProcInfo, type ProcessTable, type TableKind } from './proc-types.js';
import { psTable } from './ps-table.js';

export { MARKER_VAR, type PidFloor, type ProcInfo, type ProcessTable, type TableKind };

/** The variable that forces the portable table ("ps"); "proc" or unset: /proc where there is one. */
export const TABLE_VAR = 'BGBASH_PROCESS_TABLE';

let chosen: { key: string | undefined; table: ProcessTable } | null = null;

/** The table for this process (read once per value of BGBASH_PROCESS_TABLE). */
export function processTable(): ProcessTable {
  const key = process.env[TABLE_VAR];
  if (chosen === null || chosen.key !== key) chosen = { key, table: key === 'ps' || !hasProc ? psTable : procTable };
  return chosen.table;
}

/** BGBASH_PROCESS_TABLE as helper processes must get it (their environments are built from scratch). */
export function tableEnv(): Record<string, string> {
  const v = process.env[TABLE_VAR];
  return v === undefined ? {} : { [TABLE_VAR]: v };
}

/**
 * Every live process that belongs to the task rooted at `rootPid` with marker
 * `marker`: its descendants, its process group and session members, and any
 * process carrying the marker (which catches double-forked daemons that
 * escaped with setsid and were re-parented to init).
 */
export function taskProcesses(rootPid: number | null, marker: string | null, since: number | null = null, floor: PidFloor | null = null, table = processTable()): ProcInfo[] {
  const procs = table.list(floor);
  const members = new Map<number, ProcInfo>();
  if (rootPid !== null) {
    const children = new Map<number, ProcInfo[]>();
    for (const p of procs) {
      const list = children.get(p.ppid) ?? [];
      list.push(p);
      children.set(p.ppid, list);
    }
    const stack = procs.filter((p) => p.pid === rootPid || p.pgid === rootPid || p.sid === rootPid);
    while (stack.length) {
      const p = stack.pop()!;
      if (members.has(p.pid)) continue;
      members.set(p.pid, p);
      stack.push(...(children.get(p.pid) ?? []));
    }
  }
  if (marker !== null) {
    // A task's processes start after it did: older ones need no marker read.
    const candidates = procs.filter((p) => p.pid !== process.pid && !members.has(p.pid) && (since === null || p.starttime >= since));
    const marks = table.markers(candidates.map((p) => p.pid));
    for (const p of candidates) if (marks.get(p.pid) === marker) members.set(p.pid, p);
  }
  members.delete(process.pid);
  return [...members.values()];
}

/** All live processes whose marker starts with `prefix` (a dead server's tasks), started at or after `since`. */
export function markedProcesses(prefix: string, since: number | null = null, table = processTable()): ProcInfo[] {
  const candidates = table.list().filter((p) => p.pid !== process.pid && (since === null || p.starttime >= since));
  const marks = table.markers(candidates.map((p) => p.pid));
  return candidates.filter((p) => marks.get(p.pid)?.startsWith(prefix) ?? false);
}

/** The marker value a process carries, or null (unreadable, or not one of ours). */
export function readMarker(pid: number, table = processTable()): string | null {
  return table.markers([pid]).get(pid) ?? null;
}

/** This process's start time in this table's unit (with its pid, what tells it from a later process given the same pid). */
export function ownStartTime(table = processTable()): number | null {
  return table.stat(process.pid)?.starttime ?? null;
}

/**
 * Whether `pid` lives and, given its start time (read from the table of kind
 * `kind`), is still that process. A start time from the other kind of table
 * cannot be compared: the pid alone answers then (never "dead" for a live server).
 */
export function isAlive(pid: number, starttime?: number | null, kind: TableKind = 'proc', table = processTable()): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (starttime === undefined || starttime === null || kind !== table.kind) return true;
  const info = table.stat(pid);
  return info !== null && info.starttime === starttime;
}

/** pid, its parent, … up to (not including) init. */
export function ancestry(pid: number, table = processTable()): number[] {
  // /proc answers one pid cheaply; ps answers every pid in one run.
  const snapshot = table.kind === 'proc' ? null : new Map(table.list().map((p) => [p.pid, p]));
  const chain: number[] = [];
  let cur = pid;
  for (let i = 0; i < 64 && cur > 1; i++) {
    chain.push(cur);
    const info = snapshot ? (snapshot.get(cur) ?? null) : table.stat(cur);
    if (!info) break;
    cur = info.ppid;
  }
  return chain;
}
