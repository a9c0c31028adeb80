/**
 * A cgroup (v2) per local task, so that no process outlives its task,
 * whatever it does: a process can clear its environment (the marker goes),
 * start its own session (`setsid -f`) and double fork (it is re-parented away
 * from the task's tree), but it cannot leave its cgroup without write access
 * to another one. Every process the task starts is born in the task's
 * cgroup; ending the task ends every process in it (SIGTERM, grace, then
 * `cgroup.kill`), and the watchdog does the same for a server killed with -9.
 *
 * Chosen over the alternatives because it depends on nothing the task
 * inherits and can undo: a child subreaper (prctl) only keeps orphans as the
 * spawner's children, with no record of which task they came from when
 * several run at once, and needs a native module; a pid namespace changes
 * what the task sees ($$ is 1). The task's shell joins its cgroup first thing
 * (a builtin `echo $$`, no fork), before the command runs.
 *
 * Where no cgroup can be made (no cgroup2 mount, not delegated to this user,
 * not Linux, BGBASH_PROCESS_TABLE=ps) tasks run as before: their tree, group, session and marker.
 *
 * Layout: siblings in the server's own cgroup, `bgbash-<server>-<task>`, so
 * the watchdog (started in the same cgroup) finds them from the server id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { processTable } from './process-table.js';

const PREFIX = 'bgbash-';

let base: string | null | undefined;

/** The directory of this process's cgroup on the cgroup2 mount, or null. */
export function cgroupBase(): string | null {
  if (base !== undefined) return base;
  base = null;
  // The ps table stands for a system without /proc (macOS): no cgroups either, so that mode proves the table alone.
  if (processTable().kind === 'ps') return null;
  try {
    const own = /^0::(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (own === undefined) return null;
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [left, right] = line.split(' - ');
      if (!right?.startsWith('cgroup2 ')) continue;
      const fields = left.split(' ');
      const root = fields[3];
      const mount = fields[4];
      const rel = root === '/' ? own : own.startsWith(root) ? own.slice(root.length) : null;
      if (rel === null) continue;
      const dir = path.join(mount, rel).replace(/(.)\/+$/, '$1');
      fs.accessSync(dir, fs.constants.W_OK);
      base = dir;
      break;
    }
  } catch {
    base = null;
  }
  return base;
}

const nameFor = (server: string, task: string): string => `${PREFIX}${server}-${task}`.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Makes the task's cgroup; its cgroup.procs file to join, or null when none can be made here. */
export function createTaskCgroup(server: string, task: string): string | null {
  const at = cgroupBase();
  if (!at) return null;
  const dir = path.join(at, nameFor(server, task));
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  return path.join(dir, 'cgroup.procs');
}

/**
 * The shell's first words: join the cgroup (echo is a builtin in bash and sh: no fork; `>|` writes even
 * under noclobber; silent if it cannot).
 */
export function joinPrefix(procsFile: string): string {
  return `{ echo $$ >|'${procsFile.replace(/'/g, `'\\''`)}'; } 2>/dev/null; `;
}

/** A program started without a shell (an agent CLI), put in its cgroup by `sh` first: `sh -c '<join>exec "$@"' sh file args…`. */
export function inCgroup(procsFile: string, file: string, args: string[]): { file: string; args: string[] } {
  return { file: '/bin/sh', args: ['-c', `${joinPrefix(procsFile)}exec "$@"`, 'sh', file, ...args] };
}

function members(dir: string): number[] {
  try {
    return fs
      .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; ; ) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Ends every process in the cgroup at `dir` (SIGTERM, `graceMs`, then SIGKILL) and removes it. */
export async function endCgroup(dir: string, graceMs: number): Promise<void> {
  const first = members(dir);
  if (first.length) {
    signal(first, 'SIGTERM');
    signal(first, 'SIGCONT');
    if (!(await until(() => members(dir).length === 0, graceMs))) {
      try {
        // Kills every member at once, also one forking meanwhile (Linux 5.14+).
        fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      } catch {
        for (let round = 0; round < 5 && members(dir).length; round++) signal(members(dir), 'SIGKILL');
      }
      await until(() => members(dir).length === 0, 2000);
    }
  }
  // A cgroup goes once empty (zombies still count until reaped: a few tries).
  for (let i = 0; i < 20; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The pids in the task's cgroup ([] without one): everything it started, escaped daemons included. */
export function taskCgroupPids(server: string, task: string): number[] {
  const at = cgroupBase();
  return at ? members(path.join(at, nameFor(server, task))) : [];
}

/** Ends the task's cgroup, if it has one. */
export function endTaskCgroup(server: string, task: string, graceMs: number): Promise<void> {
  const at = cgroupBase();
  return at ? endCgroup(path.join(at, nameFor(server, task)), graceMs) : Promise.resolve();
}

/** Ends every task cgroup of a server (`server` may be a prefix of its id's cgroups: used by the watchdog and recovery). */
export async function endServerCgroups(server: string, graceMs: number): Promise<number> {
  const at = cgroupBase();
  if (!at) return 0;
  let names: string[];
  try {
    names = fs.readdirSync(at).filter((n) => n.startsWith(nameFor(server, '')));
  } catch {
    return 0;
  }
  await Promise.all(names.map((n) => endCgroup(path.join(at, n), graceMs)));
  return names.length;
}
