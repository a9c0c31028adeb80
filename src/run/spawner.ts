/**
 * Starts task processes without holding the server's thread.
 *
 * Node's spawn() forks the calling process and waits on its thread until the
 * child has exec'd. On the 2-core VM the benchmarks run on that costs 5-7 ms
 * per task for the ~80 MB server, and the fork leaves every page of the
 * server copy-on-write, so it pays again in faults afterwards: half of the
 * server's CPU per background task (bench/NOTES.md). A worker thread does not
 * help (measured slower: the fork copies the same address space and the
 * main thread stalls on it). So a small process of our own, the spawner
 * (run/spawner-process.ts), forks instead; the server's part of a spawn is a
 * message. The spawner is the tasks' parent and reports their exit statuses;
 * the watchdog still reaps them if the server is killed.
 *
 * The spawner starts with the first local task, which waits for it (~50 ms,
 * once per server). Where it cannot start, or after it is gone, spawns run
 * here as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { processTable, tableEnv } from './process-table.js';
import type { FromSpawner, StdioSlot, ToSpawner } from './spawner-protocol.js';

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  /** Fds of this process for the child (or 'pipe': a stdin written through `Spawned.stdin`). */
  stdio: [StdioSlot, StdioSlot, StdioSlot];
  detached: boolean;
  /** Report where each fd's offset can be read (`Spawned.offsetFile`) until `release()`. */
  holdOffsets?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Spawned {
  pid: number;
  /** Called once, when the process has exited. */
  onExit(cb: (exit: ExitInfo) => void): void;
  /** Input for a 'pipe' stdin; what comes after the process closed it is dropped. `pending`: bytes written it has not read. */
  stdin: { write(data: Buffer): void; end(): void; pending(): number } | null;
  /** The /proc fdinfo file with the offset of the open file the child writes for stdio slot `slot`. */
  offsetFile(slot: number): string | null;
  /** The offsets are read no more. */
  release(): void;
}

/** A process's exit, reported once to everyone who asks, before or after it happened. */
class ExitSlot {
  private exit: ExitInfo | null = null;
  private readonly cbs: ((exit: ExitInfo) => void)[] = [];

  on(cb: (exit: ExitInfo) => void): void {
    if (this.exit) cb(this.exit);
    else this.cbs.push(cb);
  }

  deliver(exit: ExitInfo): void {
    if (this.exit) return;
    this.exit = exit;
    for (const cb of this.cbs.splice(0)) cb(exit);
  }
}

/** A spawn sent to the spawner: pending until it answers, then live until the exit. */
interface Waiting {
  resolve(s: Spawned): void;
  reject(e: Error): void;
  /** Runs the spawn here instead (the spawner could not reopen the fds). */
  here(): void;
  pid: number | null;
  exit: ExitSlot;
  /** Set when the spawner is gone: the process is watched in the process table. */
  watch: NodeJS.Timeout | null;
  /** Input sent to the spawner for its stdin that the spawner has not yet handed to the process. */
  pendingInput: number;
}

/** Fds of this process a spawner must not keep (pty masters: not close-on-exec), asked when it starts. */
let inheritedToClose: () => number[] = () => [];
export function closeInSpawner(fds: () => number[]): void {
  inheritedToClose = fds;
}

let spawner: ChildProcess | null = null;
let ready: Promise<boolean> | null = null;
let markReady: (ok: boolean) => void = () => undefined;
/** No new spawns go to a spawner (and none is started again): it could not start, died, or cannot reopen our fds. */
let retired = false;
/** A spawner that has not said it is ready by then is not waited for (spawns run here). */
const READY_WAIT_MS = 3000;
let nextId = 1;
const waiting = new Map<number, Waiting>();

function startSpawner(): void {
  if (spawner || retired) return;
  ready = new Promise<boolean>((resolve) => {
    markReady = resolve;
    setTimeout(() => resolve(false), READY_WAIT_MS).unref();
  });
  try {
    spawner = spawn(process.execPath, ['--max-semi-space-size=1', path.join(PACKAGE_ROOT, 'dist/run/spawner-process.js'), String(process.pid), ...inheritedToClose().map(String)], {
      // Its own session: a terminal's Ctrl+C for the server's group must not stop the tasks' parent.
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...tableEnv() },
    });
  } catch {
    retire();
    return;
  }
  spawner.unref();
  spawner.channel?.unref();
  spawner.on('message', (m: FromSpawner) => onMessage(m));
  spawner.on('error', () => lost());
  spawner.on('exit', () => lost());
}

function onMessage(m: FromSpawner): void {
  if (m.op === 'ready') return markReady(true);
  const w = waiting.get(m.id);
  if (!w) return;
  if (m.op === 'wrote') {
    w.pendingInput = Math.max(0, w.pendingInput - m.bytes);
  } else if (m.op === 'spawn') {
    w.pid = m.pid;
    w.resolve(spawned(m.id, w, m.fds));
  } else if (m.op === 'error') {
    waiting.delete(m.id);
    if (m.reopen) {
      // A /proc the spawner cannot read the server's fds through (no /proc, hidepid, …): do without it.
      retire();
      return w.here();
    }
    w.reject(Object.assign(new Error(m.message), { code: m.code }));
  } else {
    exited(m.id, w, { code: m.code, signal: m.signal });
  }
}

function exited(id: number, w: Waiting, exit: ExitInfo): void {
  waiting.delete(id);
  if (w.watch) clearInterval(w.watch);
  w.exit.deliver(exit);
}

/** No new spawns go to the spawner; what it started it still reports, and it exits with the server. */
function retire(): void {
  retired = true;
  markReady(false);
}

/**
 * The spawner died (it should not): its children's statuses are lost with it,
 * so each is watched in the process table until it is gone. Later spawns run here.
 */
function lost(): void {
  if (!spawner) return;
  spawner = null;
  retire();
  for (const [id, w] of waiting) {
    if (w.pid === null) {
      waiting.delete(id);
      w.reject(new Error('the spawner process exited'));
      continue;
    }
    const pid = w.pid;
    const table = processTable();
    const since = table.stat(pid)?.starttime;
    w.watch = setInterval(() => {
      const st = table.stat(pid);
      if (!st || st.starttime !== since) exited(id, w, { code: null, signal: null });
    }, 250);
    w.watch.unref();
  }
}

function send(m: ToSpawner): void {
  try {
    spawner?.send(m);
  } catch {
    /* gone: lost() handles it */
  }
}

function spawned(id: number, w: Waiting, fds: (number | null)[]): Spawned {
  return {
    pid: w.pid!,
    onExit: (cb) => w.exit.on(cb),
    stdin: {
      write: (data) => {
        // Counted until the spawner says the process took it (or it was dropped): input no one reads is bounded by the caller.
        w.pendingInput += data.length;
        send({ op: 'write', id, data });
      },
      end: () => send({ op: 'end', id }),
      pending: () => (spawner ? w.pendingInput : 0),
    },
    offsetFile: (slot) => (spawner && fds[slot] != null ? `/proc/${spawner.pid}/fdinfo/${fds[slot]}` : null),
    release: () => send({ op: 'release', id }),
  };
}

/** Starts `file`; resolves once it runs, rejects as spawn() would (ENOENT, EACCES, …). */
export async function spawnProcess(file: string, args: string[], opts: SpawnOptions): Promise<Spawned> {
  // It reopens the server's fds through /proc: Linux only, and only with the /proc table
  // (BGBASH_PROCESS_TABLE=ps stands for a system without /proc).
  if (processTable().kind !== 'proc') return spawnHere(file, args, opts);
  startSpawner();
  // The first spawn waits for the spawner to start (~50 ms, once per server).
  if (!(await ready) || !spawner || retired) return spawnHere(file, args, opts);
  const id = nextId++;
  return new Promise<Spawned>((resolve, reject) => {
    const here = (): void => void spawnHere(file, args, opts).then(resolve, reject);
    waiting.set(id, { resolve, reject, here, pid: null, exit: new ExitSlot(), watch: null, pendingInput: 0 });
    send({ op: 'spawn', id, file, args, cwd: opts.cwd, env: opts.env, stdio: opts.stdio, detached: opts.detached, hold: opts.holdOffsets ?? false });
  });
}

function spawnHere(file: string, args: string[], opts: SpawnOptions): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: opts.stdio, detached: opts.detached });
    const exit = new ExitSlot();
    child.stdin?.on('error', () => undefined);
    child.once('error', reject);
    child.once('exit', (code, signal) => exit.deliver({ code, signal }));
    child.once('spawn', () => {
      child.unref();
      const stdin = child.stdin;
      resolve({
        pid: child.pid!,
        onExit: (cb) => exit.on(cb),
        stdin: stdin && {
          write: (data) => {
            if (stdin.writable) stdin.write(data);
          },
          end: () => stdin.end(),
          pending: () => stdin.writableLength,
        },
        // The child shares this process's open files: their offsets are ours.
        offsetFile: (slot) => (typeof opts.stdio[slot] === 'number' ? `/proc/self/fdinfo/${opts.stdio[slot]}` : null),
        release: () => undefined,
      });
    });
  });
}
