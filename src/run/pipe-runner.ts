/**
 * Runs a command without a terminal: stdout and stderr kept apart, full speed.
 * With `logs`, the child writes into files of its own (no pipe through this
 * process, which tops out at ~0.6-0.8x of a direct write here), which are
 * followed and copied into the logs (see FileFollower). Without, it uses pipes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { FileFollower, openSpool, type Spool } from './file-follower.js';
import type { RunningProcess, StartOptions, Stream } from './process.js';
import { ProcessEvents } from './process-events.js';
import { spawnProcess } from './spawner.js';

export interface DirectLogs {
  stdout: string;
  stderr: string;
  maxBytes: number;
  onDropped(stream: Stream, bytes: number): void;
}

export function startPipe(opts: StartOptions, logs?: DirectLogs): Promise<RunningProcess> {
  return logs ? startDirect(opts, logs) : startPiped(opts);
}

function startDirect(opts: StartOptions, logs: DirectLogs): Promise<RunningProcess> {
  const events = new ProcessEvents();
  const out = openSpool(logs.stdout);
  let err: Spool;
  try {
    err = openSpool(logs.stderr);
  } catch (e) {
    fs.closeSync(out.childFd);
    fs.closeSync(out.readFd);
    throw e;
  }
  const followers = (['stdout', 'stderr'] as const).map(
    (stream) =>
      new FileFollower(
        stream === 'stdout' ? logs.stdout : logs.stderr,
        stream === 'stdout' ? out : err,
        logs.maxBytes,
        (chunk) => events.data(chunk, stream),
        (bytes) => logs.onDropped(stream, bytes),
      ),
  );
  const started = spawnProcess(opts.file, opts.args, {
    cwd: opts.cwd,
    env: pipeEnv(opts),
    stdio: ['pipe', out.childFd, err.childFd],
    detached: true,
    holdOffsets: true,
  });
  return started.then(
    (child) => {
      followers.forEach((f, i) => f.offsetFrom(child.offsetFile(i + 1)));
      child.onExit(({ code, signal }) => {
        // Everything it wrote is in the files: read to the end, then report the exit.
        void Promise.all(followers.map((f) => f.finish())).then(() => {
          child.release();
          events.exit({ exit_code: code, signal });
        });
      });
      const stdin = child.stdin!;
      return {
        pid: child.pid,
        write: (data) => stdin.write(typeof data === 'string' ? Buffer.from(data) : data),
        endInput: () => stdin.end(),
        pendingInput: () => stdin.pending(),
        resize: () => undefined,
        // The file is the buffer: nothing to pause.
        pause: () => undefined,
        resume: () => undefined,
        onData: events.onData,
        onExit: events.onExit,
        dispose: () => {
          for (const f of followers) f.close();
          child.release();
        },
      };
    },
    (e: unknown) => {
      for (const f of followers) f.close();
      throw e;
    },
  );
}

function startPiped(opts: StartOptions): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.file, opts.args, {
      cwd: opts.cwd,
      env: pipeEnv(opts),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, like a pty session, so the whole group can be signalled.
      detached: true,
    });
    const events = new ProcessEvents();
    child.stdout.on('data', (c: Buffer) => events.data(c, 'stdout'));
    child.stderr.on('data', (c: Buffer) => events.data(c, 'stderr'));
    child.stdin.on('error', () => {
      /* EPIPE when the process closed its stdin: input to it is dropped */
    });
    child.on('error', (err) => reject(err));
    // 'close' waits for stdout/stderr to end: all output is delivered first.
    // A background child still holding the pipes would delay it forever, so
    // 'exit' plus a short grace ends the wait (node-pty does the same).
    let closeTimer: NodeJS.Timeout | null = null;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (closeTimer) clearTimeout(closeTimer);
      events.exit({ exit_code: code, signal });
    };
    child.on('exit', (code, signal) => {
      closeTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, 300);
    });
    child.on('close', (code, signal) => finish(code, signal));
    child.on('spawn', () => {
      child.unref();
      resolve({
        pid: child.pid!,
        write: (data) => {
          if (child.stdin.writable) child.stdin.write(data);
        },
        endInput: () => child.stdin.end(),
        pendingInput: () => child.stdin.writableLength,
        resize: () => {
          /* no terminal */
        },
        pause: () => {
          child.stdout.pause();
          child.stderr.pause();
        },
        resume: () => {
          child.stdout.resume();
          child.stderr.resume();
        },
        onData: events.onData,
        onExit: events.onExit,
        dispose: () => {
          child.stdout.destroy();
          child.stderr.destroy();
        },
      });
    });
  });
}

/**
 * Node's pipes are socketpairs, and bash takes a top-level shell (SHLVL unset)
 * whose stdin is a socket for one started by rshd/sshd: it then sources the
 * user's ~/.bashrc before the command (shell.c, run_startup_files). That ran
 * whatever a .bashrc does (here: pyenv's rehash, which blocked a task for good)
 * in every pipe-mode task whose server was started without SHLVL, as agents
 * start MCP servers. A level of 1 keeps bash a plain `bash -c`.
 */
function pipeEnv(opts: StartOptions): Record<string, string> {
  return { ...opts.env, SHLVL: opts.env.SHLVL ?? '1', COLUMNS: String(opts.cols), LINES: String(opts.rows) };
}
