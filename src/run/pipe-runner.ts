/** Runs a command over pipes: stdout and stderr kept apart, no terminal emulation, full speed. */
import { spawn } from 'node:child_process';
import type { RunningProcess, StartOptions } from './process.js';
import { ProcessEvents } from './process-events.js';

export function startPipe(opts: StartOptions): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.file, opts.args, {
      cwd: opts.cwd,
      env: { ...opts.env, COLUMNS: String(opts.cols), LINES: String(opts.rows) },
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
