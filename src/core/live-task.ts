/**
 * The runtime side of a task this server runs: its process, its output logs
 * and timers. Records are plain data; this is what is attached to them while
 * the process lives.
 */
import type { LongTimeout } from './long-timeout.js';
import fs from 'node:fs';
import type { Backend, TaskProcess } from '../run/backends/backend.js';
import type { Stream } from '../run/process.js';
import { OutputLog } from '../store/output-log.js';
import { fileIn } from '../store/task-files.js';

export class LiveTask {
  proc: TaskProcess | null = null;
  readonly log: OutputLog;
  /** Pipe mode only: stderr apart from stdout. */
  readonly errLog: OutputLog | null;
  timeoutTimer: LongTimeout | null = null;
  lastOutputAt = Date.now();
  /** Resolves when the process (and its tree) is gone. */
  exited: Promise<void>;
  markExited!: () => void;
  processGone = false;
  killing: Promise<void> | null = null;

  /** A backend that writes its own logs, with a writable data dir: the process writes its log files itself. */
  readonly direct: boolean;

  constructor(
    readonly id: string,
    dir: string,
    backend: Pick<Backend, 'terminal' | 'writesLogs'>,
    logOpts: { maxBytes: number; tailBytes: number; onError: (err: Error, stream: Stream) => void; onSaved?: (lost: number, stream: Stream) => void },
  ) {
    const pty = backend.terminal;
    this.direct = !pty && backend.writesLogs && writable(fileIn(dir, 'output'));
    // Each log says which it is: what one reports must not be taken for the other (core/output-notes.ts).
    const opts = (stream: Stream) => ({
      maxBytes: logOpts.maxBytes,
      tailBytes: logOpts.tailBytes,
      onError: (err: Error) => logOpts.onError(err, stream),
      onSaved: logOpts.onSaved && ((lost: number) => logOpts.onSaved!(lost, stream)),
      external: this.direct,
    });
    this.log = new OutputLog(fileIn(dir, 'output'), opts('stdout'));
    this.errLog = pty ? null : new OutputLog(fileIn(dir, 'stderr'), opts('stderr'));
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  logFor(stream: Stream): OutputLog {
    return stream === 'stderr' && this.errLog ? this.errLog : this.log;
  }

  /** Resolves once every byte appended so far is in the log files. */
  async flush(): Promise<void> {
    await Promise.all([this.log.flush(), this.errLog?.flush()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.log.close(), this.errLog?.close()]);
  }
}

function writable(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    return true;
  } catch {
    return false;
  }
}
