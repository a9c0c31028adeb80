/**
 * Reading the process table from /proc (Linux). Used to find every process a
 * task started — by parent chain, process group, session and the environment
 * marker each task's processes inherit — and to tell when one is blocked
 * reading its input. Pids are reused, so nothing here is kept between calls.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  /** Clock ticks since boot: with the pid, tells a process from a later one that reuses its pid. */
  starttime: number;
}

export const hasProc = os.platform() === 'linux' && fs.existsSync('/proc/self/stat');

/** Environment variable every process of a task inherits; its value names server and task. */
export const MARKER_VAR = 'BGBASH_TASK';

export function readStat(pid: number): ProcInfo | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0],
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    sid: Number(rest[3]),
    starttime: Number(rest[19]),
  };
}

/** Every live process with a pid of at least `minPid`. */
export function listProcesses(minPid = 1): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid < minPid) continue;
    const info = readStat(pid);
    if (info && info.state !== 'Z') out.push(info);
  }
  return out;
}

/** The marker value a process carries, or null (unreadable, or not one of ours). */
export function readMarker(pid: number): string | null {
  let env: Buffer;
  try {
    env = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
  const needle = Buffer.from(`\0${MARKER_VAR}=`);
  let at = env.indexOf(needle);
  let start: number;
  if (at >= 0) start = at + needle.length;
  else if (env.subarray(0, needle.length - 1).equals(needle.subarray(1))) start = needle.length - 1;
  else return null;
  at = env.indexOf(0, start);
  return env.subarray(start, at < 0 ? env.length : at).toString();
}

/**
 * Where a task's processes can be found in the pid space: its first process
 * got `pid` after `forks` pid allocations since boot. Pids are handed out in
 * increasing order until the counter wraps at pid_max, which takes at least
 * pid_max - pid more allocations; until then everything the task started has
 * a higher pid, and a scan reads only those (not the whole machine's).
 */
export interface PidFloor {
  pid: number;
  forks: number;
}

/** Pid allocations since boot (/proc/stat "processes": every fork and thread). */
export function forkCount(): number | null {
  try {
    const m = /^processes (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

let pidMax: number | undefined;
function readPidMax(): number {
  if (pidMax === undefined) {
    try {
      pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 0;
    } catch {
      pidMax = 0;
    }
  }
  return pidMax;
}

/** The lowest pid a process of the task can have now (1 when the counter may have wrapped). */
function lowestPid(floor: PidFloor | null): number {
  if (!floor) return 1;
  const forks = forkCount();
  if (forks === null || forks - floor.forks >= readPidMax() - floor.pid) return 1;
  return floor.pid;
}

/**
 * Every live process that belongs to the task rooted at `rootPid` with marker
 * `marker`: its descendants, its process group and session members, and any
 * process carrying the marker (which catches double-forked daemons that
 * escaped with setsid and were re-parented to init).
 */
export function taskProcesses(rootPid: number | null, marker: string | null, since: number | null = null, floor: PidFloor | null = null): ProcInfo[] {
  const procs = listProcesses(lowestPid(floor));
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
    for (const p of procs) {
      // A task's processes start after it did: older ones need no environ read.
      if (p.pid === process.pid || members.has(p.pid) || (since !== null && p.starttime < since)) continue;
      if (readMarker(p.pid) === marker) members.set(p.pid, p);
    }
  }
  members.delete(process.pid);
  return [...members.values()];
}

/** All live processes whose marker starts with `prefix` (a dead server's tasks), started at or after `since`. */
export function markedProcesses(prefix: string, since: number | null = null): ProcInfo[] {
  return listProcesses().filter((p) => p.pid !== process.pid && (since === null || p.starttime >= since) && (readMarker(p.pid)?.startsWith(prefix) ?? false));
}

// read(2) syscall numbers by architecture.
const READ_SYSCALL: Record<string, number[]> = { x64: [0], arm64: [63], ia32: [3], arm: [3] };

/**
 * True when some process of the task sleeps inside read() on its fd 0 — the
 * shape of a program waiting at a prompt. /proc/PID/syscall needs ptrace
 * rights over the process, which the owner has.
 */
export function blockedOnInput(procs: ProcInfo[]): boolean {
  const reads = READ_SYSCALL[process.arch] ?? [0];
  for (const p of procs) {
    if (p.state !== 'S') continue;
    try {
      const [nr, fd] = fs.readFileSync(`/proc/${p.pid}/syscall`, 'utf8').trim().split(' ');
      if (reads.includes(Number(nr)) && Number(fd) === 0) return true;
    } catch {
      // No syscall file (kernel config, or no ptrace rights): the kernel
      // function it sleeps in says as much for a terminal read.
      try {
        if (/n_tty_read|tty_read/.test(fs.readFileSync(`/proc/${p.pid}/wchan`, 'utf8'))) return true;
      } catch {
        /* gone */
      }
    }
  }
  return false;
}

/** This process's start time (with its pid, what tells it from a later process given the same pid). */
export function ownStartTime(): number | null {
  return hasProc ? (readStat(process.pid)?.starttime ?? null) : null;
}

export function isAlive(pid: number, starttime?: number | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProc || starttime === undefined || starttime === null) return true;
  const info = readStat(pid);
  return info !== null && info.starttime === starttime && info.state !== 'Z';
}
