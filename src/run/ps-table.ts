/**
 * The portable process table: `ps` for processes, `lsof` for listening
 * ports, for systems without /proc (macOS) and for Linux with
 * BGBASH_PROCESS_TABLE=ps (how CI proves this path). Only options both
 * procps and the BSD/macOS ps accept are used, except where they differ:
 *
 * - session id: procps has `sid`; macOS's `sess` is a kernel pointer, so
 *   there a process's session is unknown (-1) and a task's tree is its parent
 *   chain, its process group and its marker.
 * - environment (the marker): procps shows it after the command with the BSD
 *   option `e`, macOS with `-E`; both only for the user's own processes, as
 *   they were when the process started (as /proc/<pid>/environ does).
 *
 * What it cannot know: whether a process waits reading its input (null,
 * "unknown"), and the pid-space floor (no fork counter). Every call runs a
 * process synchronously (a few ms): it answers the same questions as
 * /proc, only slower, and the fast path stays /proc where there is one.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { MARKER_VAR, type ProcInfo, type ProcessTable } from './proc-types.js';

const darwin = os.platform() === 'darwin';

/** A fixed locale and zone: lstart is then the same text for every process that reads it. */
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C', TZ: 'UTC' };
/** A table question that takes longer than this is answered "nothing" rather than stall the server. */
const TIMEOUT_MS = 5000;

/** stdout of a tool; '' when it is missing or fails. ps and lsof exit 1 when nothing matched, and still print what did. */
function run(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', env: ENV, timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    const out = (err as { stdout?: unknown }).stdout;
    return typeof out === 'string' ? out : '';
  }
}

const FIELDS = darwin ? ['pid', 'ppid', 'pgid', 'state', 'lstart'] : ['pid', 'ppid', 'pgid', 'sid', 'stat', 'lstart'];
const FORMAT = FIELDS.flatMap((f) => ['-o', `${f}=`]);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Thu Dec  3 09:05:46 2026" (UTC) → seconds since the epoch; NaN when it is not that shape. */
export function parseLstart(text: string): number {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
  const month = m ? MONTHS.indexOf(m[1]) : -1;
  if (!m || month < 0) return NaN;
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) / 1000;
}

/** One line of the list format → a process, or null (a header, a line cut short). */
export function parseProcLine(line: string, withSid = !darwin): ProcInfo | null {
  const f = line.trim().split(/\s+/);
  const n = withSid ? 5 : 4;
  if (f.length < n + 5) return null;
  const [pid, ppid, pgid] = f.slice(0, 3).map(Number);
  const sid = withSid ? Number(f[3]) : -1;
  const starttime = parseLstart(f.slice(n).join(' '));
  if (![pid, ppid, pgid, sid].every(Number.isInteger) || pid <= 0 || Number.isNaN(starttime)) return null;
  return { pid, ppid, pgid, sid, state: f[n - 1][0], starttime };
}

function parseList(text: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const line of text.split('\n')) {
    const p = parseProcLine(line);
    if (p && p.state !== 'Z') out.push(p);
  }
  return out;
}

/**
 * The marker in a line of `ps` with environment ("<pid> <args> NAME=value …"):
 * the last NAME=value of the marker variable, as the environment follows the
 * arguments. A process that removed the marker from its environment but
 * names it in its arguments reads as marked (ps cannot tell them apart).
 */
export function markerIn(rest: string): string | null {
  const needle = ` ${MARKER_VAR}=`;
  const at = rest.lastIndexOf(needle);
  if (at < 0) return null;
  const value = rest.slice(at + needle.length).split(' ', 1)[0];
  return value || null;
}

/** Above this many pids one listing of every process is cheaper than a long -p list. */
const MAX_PID_ARGS = 200;

function markers(pids: number[]): Map<number, string> {
  const out = new Map<number, string>();
  if (pids.length === 0) return out;
  const select = pids.length > MAX_PID_ARGS ? ['-A'] : ['-p', pids.join(',')];
  const wanted = new Set(pids);
  const text = run('ps', [darwin ? '-E' : 'e', '-ww', ...select, '-o', 'pid=', '-o', 'command=']);
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    if (!wanted.has(pid)) continue;
    const marker = markerIn(m[2]);
    if (marker !== null) out.set(pid, marker);
  }
  return out;
}

/** Ports in `lsof -F n` output ("n*:3000", "n127.0.0.1:8080", "n[::1]:5173"). */
export function portsIn(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('n')) continue;
    const port = Number(line.slice(line.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
  }
  return ports;
}

const LISTEN = ['-nP', '-iTCP', '-sTCP:LISTEN'];

export const psTable: ProcessTable = {
  kind: 'ps',
  list: () => parseList(run('ps', ['-A', ...FORMAT])),
  stat: (pid) => (Number.isInteger(pid) && pid > 0 ? (parseList(run('ps', ['-p', String(pid), ...FORMAT]))[0] ?? null) : null),
  markers,
  // ps has no portable way to tell a read() on stdin from any other sleep.
  blockedOnInput: () => null,
  forkCount: () => null,
  listeningPorts: (pids) => (pids.length === 0 ? [] : [...portsIn(run('lsof', [...LISTEN, '-a', '-p', pids.join(','), '-Fn']))].sort((a, b) => a - b)),
  // lsof has no socket ids to key a cache on: each poll asks.
  portLooker: () => (pids) => psTable.listeningPorts(pids),
  listenedPorts: () => portsIn(run('lsof', [...LISTEN, '-Fn'])),
  portHolders: (port) => {
    const pids = new Set<number>();
    for (const line of run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fp']).split('\n')) {
      if (line.startsWith('p') && Number(line.slice(1)) > 0) pids.add(Number(line.slice(1)));
    }
    return [...pids].sort((a, b) => a - b);
  },
  commandLine: (pid) => (Number.isInteger(pid) && pid > 0 ? run('ps', ['-ww', '-p', String(pid), '-o', 'command=']).trim() : ''),
};
