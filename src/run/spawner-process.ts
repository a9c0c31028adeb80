/**
 * The spawner: a small process each server starts with its first local task,
 * which starts the server's task processes for it (see run/spawner.ts for
 * why). It takes requests over the IPC channel, opens the fds the server
 * names through /proc/<server>/fd (a pty's slave, the unnamed file a pipe-mode
 * task writes), spawns, and reports each child's pid and exit status back.
 * When the channel closes (the server exited, however), it exits too; its
 * children are then the watchdog's business, as they were before.
 *
 * Run as: node spawner-process.js <server pid> [fd to close]...
 * (the server's pty masters this process inherited: a task must not hold them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { FromSpawner, ToSpawner } from './spawner-protocol.js';

const serverPid = Number(process.argv[2]);
for (const fd of process.argv.slice(3)) {
  try {
    fs.closeSync(Number(fd));
  } catch {
    /* already closed */
  }
}

interface Kid {
  child: ChildProcess | null;
  /** Fds opened for the child that the server still reads the offsets of (released by it). */
  held: number[];
}
const kids = new Map<number, Kid>();
const send = (m: FromSpawner): void => void process.send?.(m);

function closeAll(fds: number[]): void {
  for (const fd of new Set(fds)) {
    try {
      fs.closeSync(fd);
    } catch {
      /* closed */
    }
  }
}

function start(m: Extract<ToSpawner, { op: 'spawn' }>): void {
  const opened: number[] = [];
  const fdOf = new Map<number, number>();
  let child: ChildProcess;
  let stdio: (number | 'pipe' | 'ignore')[];
  try {
    stdio = m.stdio.map((slot) => {
      if (slot === 'pipe' || slot === 'ignore') return slot;
      let fd = fdOf.get(slot);
      if (fd === undefined) {
        // A new open file of the same file (or terminal) the server holds.
        fd = fs.openSync(`/proc/${serverPid}/fd/${slot}`, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
        fdOf.set(slot, fd);
        opened.push(fd);
      }
      return fd;
    });
  } catch (e) {
    // /proc/<server>/fd is not ours to open here: the server spawns itself from now on.
    closeAll(opened);
    return send({ op: 'error', id: m.id, code: (e as NodeJS.ErrnoException).code, message: (e as Error).message, reopen: true });
  }
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, stdio, detached: m.detached });
  } catch (e) {
    closeAll(opened);
    return send({ op: 'error', id: m.id, code: (e as NodeJS.ErrnoException).code, message: (e as Error).message });
  }
  const kid: Kid = { child, held: m.hold ? opened : [] };
  if (!m.hold) closeAll(opened);
  let started = false;
  child.stdin?.on('error', () => undefined);
  child.once('error', (e: NodeJS.ErrnoException) => {
    if (started) return;
    closeAll(kid.held);
    send({ op: 'error', id: m.id, code: e.code, message: e.message });
  });
  child.once('spawn', () => {
    started = true;
    kids.set(m.id, kid);
    send({ op: 'spawn', id: m.id, pid: child.pid!, fds: m.stdio.map((slot) => (m.hold && typeof slot === 'number' ? (fdOf.get(slot) ?? null) : null)) });
  });
  child.once('exit', (code, signal) => {
    if (!started) return;
    kid.child = null;
    send({ op: 'exit', id: m.id, code, signal });
    if (!kid.held.length) kids.delete(m.id);
  });
}

process.on('message', (m: ToSpawner) => {
  if (m.op === 'spawn') return start(m);
  const kid = kids.get(m.id);
  if (!kid) return;
  if (m.op === 'release') {
    closeAll(kid.held);
    kid.held = [];
    if (!kid.child) kids.delete(m.id);
    return;
  }
  const stdin = kid.child?.stdin;
  // Every write is acknowledged once it leaves here, taken or dropped: the server bounds what waits.
  const wrote = (): void => (m.op === 'write' ? send({ op: 'wrote', id: m.id, bytes: m.data.length }) : undefined);
  if (!stdin?.writable) return wrote();
  if (m.op === 'write') stdin.write(m.data, wrote);
  else stdin.end();
});
// The server is gone (or stopped us): nothing more to start or report.
process.on('disconnect', () => process.exit(0));
// Signals meant for the server's processes (opencode ends a session with SIGTERM to every process
// under its MCP server, Ctrl+C reaches a terminal's group) must not take away the tasks' parent
// while the server still needs their exit statuses; it goes when the server does.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
send({ op: 'ready' });
