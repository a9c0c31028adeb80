/** Process checks through `ps`, independent of bgbash's own /proc code. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  args: string;
}

/** macOS's ps has no session id (its `sess` is a kernel pointer): sid is -1 there. */
const darwin = process.platform === 'darwin';

export function ps(): PsRow[] {
  const fields = darwin ? ['pid', 'ppid', 'pgid', 'stat', 'args'] : ['pid', 'ppid', 'pgid', 'sid', 'stat', 'args'];
  const out = execFileSync('ps', ['-A', '-ww', ...fields.flatMap((f) => ['-o', `${f}=`])], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.trim().split(/\s+/);
      if (darwin) f.splice(3, 0, '-1');
      const [pid, ppid, pgid, sid, stat, ...args] = f;
      return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid), stat, args: args.join(' ') };
    })
    .filter((r) => !r.stat.startsWith('Z'));
}

export function alive(pids: number[]): number[] {
  const set = new Set(ps().map((r) => r.pid));
  return pids.filter((p) => set.has(p));
}

/** Processes whose command line contains `token`. */
export function withArgs(token: string): PsRow[] {
  return ps().filter((r) => r.args.includes(token) && !r.args.startsWith('ps -A -ww'));
}

/** Processes in the given sessions or process groups. */
export function inSessionsOrGroups(ids: number[]): PsRow[] {
  const set = new Set(ids);
  return ps().filter((r) => set.has(r.sid) || set.has(r.pgid));
}

/**
 * Whether one process runs (a zombie does not). Where nothing reaps orphans
 * promptly (this VM's init, containers without one), a killed daemon stays a
 * zombie for seconds, and kill(pid, 0) still succeeds on it.
 */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return ps().some((r) => r.pid === pid); // no /proc (macOS)
  }
}
