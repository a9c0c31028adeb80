/**
 * What bgbash asks of the machine's process table, whatever answers it:
 * /proc on Linux (run/proc.ts), `ps` and `lsof` elsewhere (run/ps-table.ts).
 * run/process-table.ts picks one and builds task trees, marker searches and
 * liveness on top; nothing else reads processes.
 */

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id; -1 where the table cannot tell (macOS `ps` has no session id). */
  sid: number;
  state: string;
  /**
   * When it started, in the table's own unit (clock ticks since boot for /proc,
   * seconds since the epoch for ps): with the pid, tells a process from a later
   * one that reuses its pid. Compared only with values of the same table.
   */
  starttime: number;
}

/** Environment variable every process of a task inherits; its value names server and task. */
export const MARKER_VAR = 'BGBASH_TASK';

/**
 * Where a task's processes can be found in the pid space: its first process
 * got `pid` after `forks` pid allocations since boot (see proc.ts).
 */
export interface PidFloor {
  pid: number;
  forks: number;
}

export type TableKind = 'proc' | 'ps';

export interface ProcessTable {
  readonly kind: TableKind;
  /** Every live (not zombie) process; `floor` lets a table skip pids the task cannot have. */
  list(floor?: PidFloor | null): ProcInfo[];
  /** One process, or null when it is gone. */
  stat(pid: number): ProcInfo | null;
  /** The marker values `pids` carry; unreadable ones carry none. */
  markers(pids: number[]): Map<number, string>;
  /** Whether one of `procs` waits reading its input; null when this table cannot tell. */
  blockedOnInput(procs: ProcInfo[]): boolean | null;
  /** Pid allocations since boot, or null (then no PidFloor narrows scans). */
  forkCount(): number | null;
  /** The TCP ports any of `pids` listens on, ascending. */
  listeningPorts(pids: number[]): number[];
  /** listeningPorts for one task's polls, free to skip a lookup it made a moment ago for the same sockets. */
  portLooker(): (pids: number[]) => number[];
  /** Every TCP port something listens on now (that this table can see). */
  listenedPorts(): Set<number>;
  /** Processes of this user holding a listening socket on `port`, lowest pid first. */
  portHolders(port: number): number[];
  /** A process's command line, arguments joined by spaces ('' when unreadable). */
  commandLine(pid: number): string;
}
