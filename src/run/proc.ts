/**
 * The process table read from /proc (Linux): the fast one, no process
 * started per question. Used to find every process a task started — by
 * parent chain, process group, session and the environment marker each
 * task's processes inherit — and to tell when one is blocked reading its
 * input. Pids are reused, so nothing here is kept between calls.
 * starttime is in clock ticks since boot.
 */
import fs from 'node:fs';
import os from 'node:os';
import { commandLine, listenedPorts, listeningPorts, portHolders, portLooker } from './ports.js';
import { MARKER_VAR, type PidFloor, type ProcInfo, type ProcessTable } from './proc-types.js';

export const hasProc = os.platform() === 'linux' && fs.existsSync('/proc/self/stat');

function readStat(pid: number): ProcInfo | null {
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
function listProcesses(minPid = 1): ProcInfo[] {
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
function readMarker(pid: number): string | null {
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

/*
 * A PidFloor: pids are handed out in increasing order until the counter
 * wraps at pid_max, which takes at least pid_max - pid more allocations;
 * until then everything the task started has a higher pid, and a scan reads
 * only those (not the whole machine's).
 */

/** Pid allocations since boot (/proc/stat "processes": every fork and thread). */
function forkCount(): number | null {
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

// read(2) syscall numbers by architecture.
const READ_SYSCALL: Record<string, number[]> = { x64: [0], arm64: [63], ia32: [3], arm: [3] };

/**
 * True when some process of the task sleeps inside read() on its fd 0 — the
 * shape of a program waiting at a prompt. /proc/PID/syscall needs ptrace
 * rights over the process, which the owner has.
 */
function blockedOnInput(procs: ProcInfo[]): boolean {
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

function markers(pids: number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const pid of pids) {
    const m = readMarker(pid);
    if (m !== null) out.set(pid, m);
  }
  return out;
}

export const procTable: ProcessTable = {
  kind: 'proc',
  list: (floor) => listProcesses(lowestPid(floor ?? null)),
  stat: (pid) => {
    const info = readStat(pid);
    return info && info.state !== 'Z' ? info : null;
  },
  markers,
  blockedOnInput,
  forkCount,
  listeningPorts,
  portLooker: () => portLooker(),
  listenedPorts,
  portHolders,
  commandLine,
};
