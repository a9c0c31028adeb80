/**
 * Runs a command under a pseudo-terminal (node-pty, as the prebuilt `@lydell/node-pty`), so programs see a terminal:
 * line-buffered output, colours, progress bars, prompts.
 *
 * Why not node-pty's spawn: on Linux it loses the end of the output of a
 * command that prints a lot and exits (node-pty issues #72, #85): the kernel
 * reports EIO on the master once the last slave fd closes, sometimes before
 * every buffered byte was read. Measured here: 15 of 20 runs of
 * `seq 1 5000` lost up to 14 KB. So we open the pty pair ourselves, keep a
 * slave fd open in this process (no EIO while we hold it), start the command
 * with util-linux `setsid --ctty` (new session, the pty as controlling
 * terminal), and when it exits write a sentinel through our slave fd: a pty is
 * a FIFO, so once the sentinel comes out of the master, every byte the command
 * wrote before exiting has been read. 20 of 20 runs complete.
 *
 * node-pty's native open() does not set close-on-exec, so the master fds of
 * live tasks would leak into every later child; bash closes them first thing.
 * Without setsid or bash (e.g. macOS), node-pty's own spawn is used.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import tty from 'node:tty';
import type { IPty } from '@lydell/node-pty';
import { signalName, type ExitStatus, type RunningProcess, type StartOptions } from './process.js';
import { ProcessEvents } from './process-events.js';
import { closeInSpawner, spawnProcess, type Spawned } from './spawner.js';

type PtyModule = typeof import('@lydell/node-pty');
interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
  resize(fd: number, cols: number, rows: number): void;
}

let ptyModule: PtyModule | null = null;
let nativePty: NativePty | null | undefined;

export async function loadPty(): Promise<PtyModule> {
  if (!ptyModule) {
    const mod = (await import('@lydell/node-pty')) as PtyModule & { default?: PtyModule };
    ptyModule = mod.default ?? mod;
  }
  return ptyModule;
}

function loadNative(): NativePty | null {
  if (nativePty === undefined) {
    try {
      const require = createRequire(import.meta.url);
      // @lydell/node-pty ships the native module as a per-platform package; this is how its own
      // unixTerminal.js loads it (no install script, no compiler).
      nativePty = (require('@lydell/node-pty/requireBinary') as { requireBinary(file: string): NativePty }).requireBinary('pty.node');
    } catch {
      nativePty = null;
    }
  }
  return nativePty;
}

let setsidPath: string | null | undefined;
function findSetsid(): string | null {
  if (setsidPath === undefined) {
    setsidPath = null;
    if (process.platform === 'linux') {
      for (const dir of ['/usr/bin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
        const file = path.join(dir, 'setsid');
        if (dir && fs.existsSync(file)) {
          setsidPath = file;
          break;
        }
      }
    }
  }
  return setsidPath;
}

/** Master fds of live ptys: not close-on-exec, so each new shell (and the spawner) closes them. */
const openMasters = new Set<number>();
closeInSpawner(() => [...openMasters]);

export async function startPty(opts: StartOptions): Promise<RunningProcess> {
  const native = loadNative();
  const setsid = findSetsid();
  if (native && setsid && path.basename(opts.file) === 'bash') return startHeldPty(native, setsid, opts);
  return startNodePty(opts);
}

function startHeldPty(native: NativePty, setsid: string, opts: StartOptions): Promise<RunningProcess> {
  const pair = native.open(opts.cols, opts.rows);
  let slave: number;
  try {
    slave = fs.openSync(pair.pty, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  } finally {
    fs.closeSync(pair.slave);
  }
  const master = pair.master;
  openMasters.add(master);
  const closeMasters = [...openMasters].map((fd) => `${fd}<&-`).join(' ');
  const [flag, command] = opts.args;
  const args = ['--ctty', opts.file, flag, `exec ${closeMasters}; ${command}`];
  return spawnProcess(setsid, args, { cwd: opts.cwd, env: opts.env, stdio: [slave, slave, slave], detached: false }).then(
    (child) => heldPty(native, master, slave, child),
    (err: unknown) => {
      openMasters.delete(master);
      fs.closeSync(slave);
      fs.closeSync(master);
      throw err;
    },
  );
}

/** Bytes the pty reader takes per read (the line discipline hands out ~4 KB at a time). */
const READ_BUFFER = 64 * 1024;

function heldPty(native: NativePty, master: number, slave: number, child: Spawned): RunningProcess {
  const sentinel = Buffer.from(`\x1b]bgbash-drained;${crypto.randomBytes(6).toString('hex')}\x07`);
  const events = new ProcessEvents();
  let draining: Buffer[] | null = null;
  let status: ExitStatus | null = null;
  let slaveOpen = true;
  let closed = false;
  const deliver = (chunk: Buffer): void => events.data(chunk);
  const finish = (): void => {
    if (events.exited || !status) return;
    if (slaveOpen) {
      slaveOpen = false;
      fs.closeSync(slave);
    }
    events.exit(status);
  };
  const onChunk = (chunk: Buffer): void => {
    if (!draining) return deliver(chunk);
    // The read buffer is reused: what waits for the sentinel is a copy.
    draining.push(Buffer.from(chunk));
    const all = Buffer.concat(draining);
    const at = all.indexOf(sentinel);
    if (at < 0) {
      draining = [all];
      return;
    }
    draining = null;
    deliver(all.subarray(0, at));
    // Output after the sentinel is from children the command left behind.
    deliver(all.subarray(at + sentinel.length));
    finish();
  };
  // Every read lands in one buffer of ours (no allocation per read); consumers copy what they keep.
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER);
  const reader = new tty.ReadStream(master, {
    onread: { buffer: readBuffer, callback: (n: number) => void onChunk(readBuffer.subarray(0, n)) },
  } as ConstructorParameters<typeof tty.ReadStream>[1]);
  reader.resume();
  const onClosed = (): void => {
    if (closed) return;
    closed = true;
    openMasters.delete(master);
    if (draining) {
      deliver(Buffer.concat(draining));
      draining = null;
    }
    finish();
  };
  reader.on('error', onClosed); // EIO once no slave fd is left
  reader.on('close', onClosed);
  child.onExit(({ code, signal }) => {
    status = { exit_code: signal ? null : code, signal: signalName(signal) };
    if (closed) return finish();
    draining = [];
    // What was read is all there is: the terminal is gone, or holds its output (XOFF) for 2 s.
    const giveUp = (): void => {
      if (!draining) return;
      deliver(Buffer.concat(draining));
      draining = null;
      finish();
    };
    const mark = (): void => {
      const wrote = draining && writeSentinel(slave, sentinel);
      // Full: our reader empties it, unless output is stopped (the timer ends that wait).
      if (wrote === 'again') setTimeout(mark, 10).unref();
      else if (wrote === false) giveUp();
    };
    mark();
    setTimeout(giveUp, 2000).unref();
  });
  const writer = fdWriter(master);
  return {
    pid: child.pid,
    write: (data) => writer.write(typeof data === 'string' ? Buffer.from(data) : data),
    endInput: () => writer.write(Buffer.from('\x04')),
    pendingInput: () => writer.pending(),
    resize: (cols, rows) => {
      try {
        if (!closed) native.resize(master, cols, rows);
      } catch {
        /* gone */
      }
    },
    pause: () => reader.pause(),
    resume: () => reader.resume(),
    onData: events.onData,
    onExit: events.onExit,
    dispose: () => {
      if (!closed) reader.destroy();
    },
  };
}

/**
 * The end-of-output marker, written without blocking (our slave fd blocks: a terminal whose output is
 * stopped by Ctrl+S, or full, held the server's thread in that write for good) through a second,
 * non-blocking open file of the same terminal. 'again': its output buffer is full.
 */
function writeSentinel(slave: number, sentinel: Buffer): boolean | 'again' {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/self/fd/${slave}`, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch {
    return false;
  }
  try {
    // A partial write leaves half a marker in the output: only a whole one counts.
    return fs.writeSync(fd, sentinel) === sentinel.length;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EAGAIN' ? 'again' : false;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes to a non-blocking fd in order, retrying while the terminal's input buffer is full. */
function fdWriter(fd: number): { write(data: Buffer): void; pending(): number } {
  const queue: Buffer[] = [];
  let queued = 0;
  let busy = false;
  const pump = (): void => {
    if (busy) return;
    const next = queue[0];
    if (!next) return;
    busy = true;
    fs.write(fd, next, (err, written) => {
      busy = false;
      if (err) {
        if (err.code === 'EAGAIN') return void setTimeout(pump, 5);
        queue.length = 0; // the terminal is gone
        queued = 0;
        return;
      }
      queued -= written;
      if (written < next.length) queue[0] = next.subarray(written);
      else queue.shift();
      pump();
    });
  };
  return {
    write: (data) => {
      queue.push(data);
      queued += data.length;
      pump();
    },
    pending: () => queued,
  };
}

async function startNodePty(opts: StartOptions): Promise<RunningProcess> {
  const pty = await loadPty();
  const term: IPty = pty.spawn(opts.file, opts.args, {
    name: opts.env.TERM ?? 'xterm-256color',
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env,
    encoding: null,
  } as Parameters<PtyModule['spawn']>[2]);
  const events = new ProcessEvents();
  term.onData((data: string | Buffer) => events.data(typeof data === 'string' ? Buffer.from(data) : data));
  term.onExit(({ exitCode, signal }) => events.exit({ exit_code: signal ? null : exitCode, signal: signalName(signal) }));
  const guard = (fn: () => void): void => {
    try {
      fn();
    } catch {
      /* the terminal is gone */
    }
  };
  return {
    pid: term.pid,
    write: (data) => guard(() => term.write(typeof data === 'string' ? data : data.toString('binary'))),
    endInput: () => guard(() => term.write('\x04')),
    // node-pty writes through a socket of its own on the master.
    pendingInput: () => (term as unknown as { _socket?: { writableLength?: number } })._socket?.writableLength ?? 0,
    resize: (cols, rows) => guard(() => term.resize(cols, rows)),
    pause: () => term.pause(),
    resume: () => term.resume(),
    onData: events.onData,
    onExit: events.onExit,
    dispose: () => guard(() => term.kill('SIGHUP')),
  };
}
