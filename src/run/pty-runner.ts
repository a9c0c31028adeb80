/**
 * Runs a command under a pseudo-terminal (node-pty), so programs see a
 * terminal: line-buffered output, colours, progress bars, prompts.
 * node-pty is a native module: loaded on first use, so `serve` answers
 * `initialize` without paying for it.
 */
import type { IPty } from 'node-pty';
import { signalName, type ExitStatus, type RunningProcess, type StartOptions, type Stream } from './process.js';

type PtyModule = typeof import('node-pty');
let ptyModule: PtyModule | null = null;

export async function loadPty(): Promise<PtyModule> {
  if (!ptyModule) {
    const mod = (await import('node-pty')) as PtyModule & { default?: PtyModule };
    ptyModule = mod.default ?? mod;
  }
  return ptyModule;
}

export async function startPty(opts: StartOptions): Promise<RunningProcess> {
  const pty = await loadPty();
  const term: IPty = pty.spawn(opts.file, opts.args, {
    name: opts.env.TERM ?? 'xterm-256color',
    cols: opts.cols,
    rows: opts.rows,
    cwd: opts.cwd,
    env: opts.env,
    // Raw Buffers: no UTF-8 decoding on the hot path, bytes reach the log as written.
    encoding: null,
  } as Parameters<PtyModule['spawn']>[2]);
  return wrap(term);
}

function wrap(term: IPty): RunningProcess {
  let dataCb: ((chunk: Buffer, stream: Stream) => void) | null = null;
  const early: Buffer[] = [];
  let exited: ExitStatus | null = null;
  let exitCb: ((s: ExitStatus) => void) | null = null;
  term.onData((data: string | Buffer) => {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (dataCb) dataCb(chunk, 'stdout');
    else early.push(chunk);
  });
  // node-pty emits exit only after its socket closed (or a short timeout when a
  // background child still holds the terminal), so all output came first.
  term.onExit(({ exitCode, signal }) => {
    exited = { exit_code: signal ? null : exitCode, signal: signalName(signal) };
    exitCb?.(exited);
  });
  return {
    pid: term.pid,
    write: (data) => {
      try {
        term.write(typeof data === 'string' ? data : data.toString('binary'));
      } catch {
        /* the terminal is gone: nothing to write to */
      }
    },
    endInput: () => {
      try {
        term.write('\x04');
      } catch {
        /* gone */
      }
    },
    resize: (cols, rows) => {
      try {
        term.resize(cols, rows);
      } catch {
        /* gone */
      }
    },
    pause: () => term.pause(),
    resume: () => term.resume(),
    onData: (cb) => {
      dataCb = cb;
      for (const chunk of early.splice(0)) cb(chunk, 'stdout');
    },
    onExit: (cb) => {
      exitCb = cb;
      if (exited) cb(exited);
    },
  };
}
