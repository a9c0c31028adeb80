/**
 * The runtime side of a task this server runs: its process, its output logs
 * and timers. Records are plain data; this is what is attached to them while
 * the process lives.
 */
import type { LongTimeout } from './long-timeout.js';
import fs from 'node:fs';
import path from 'node:path';
import type { PidFloor } from '../run/proc.js';
import type { RunningProcess, Stream } from '../run/process.js';
import { OutputLog } from '../store/output-log.js';

export class LiveTask {
  proc: RunningProcess | null = null;
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
  /** Start time of its first process (clock ticks since boot), to narrow process scans. */
  startTicks: number | null = null;
  /** Where in the pid space its processes are, to narrow process scans further. */
  pidFloor: PidFloor | null = null;

  /** Pipe mode with a writable data dir: the process writes its log files itself. */
  readonly direct: boolean;

  constructor(
    readonly id: string,
    dir: string,
    pty: boolean,
    logOpts: { maxBytes: number; tailBytes: number; onError: (err: Error) => void },
  ) {
    this.direct = !pty && writable(path.join(dir, 'output.log'));
    this.log = new OutputLog(path.join(dir, 'output.log'), { ...logOpts, external: this.direct });
    this.errLog = pty ? null : new OutputLog(path.join(dir, 'stderr.log'), { ...logOpts, external: this.direct });
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  logFor(stream: Stream): OutputLog {
    return stream === 'stderr' && this.errLog ? this.errLog : this.log;
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
