/** What a runner gives back: a live process streaming bytes. It knows nothing of tasks. */

export type Stream = 'stdout' | 'stderr';

export interface ExitStatus {
  exit_code: number | null;
  signal: string | null;
  /** The task failed for a reason of the backend's, not of the command's: it never started, or its connection was lost. */
  failure?: { reason: 'spawn_error' | 'connection_lost'; error: string };
}

export interface StartOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
}

export interface RunningProcess {
  /** null for in-process work. */
  readonly pid: number | null;
  /** Bytes for the process's terminal (pty) or stdin (pipes). */
  write(data: string | Buffer): void;
  /** Close stdin (pipes) / send EOF (pty). */
  endInput(): void;
  /** Bytes given to write() that the process has not taken yet (still queued here or in the spawner). */
  pendingInput?(): number;
  resize(cols: number, rows: number): void;
  /** Stop reading until resume(): back-pressure from a slow log writer. */
  pause(): void;
  resume(): void;
  onData(cb: (chunk: Buffer, stream: Stream) => void): void;
  /** Called once, after all output was delivered. */
  onExit(cb: (status: ExitStatus) => void): void;
  /** Stops reading what processes left behind still write (after they were ended). */
  dispose(): void;
  /** In-process work is stopped this way; processes are stopped with signals. */
  abort?(): void;
}

/** Signal number → name, for statuses that report a number. */
import os from 'node:os';
export function signalName(signal: number | string | null | undefined): string | null {
  if (signal === null || signal === undefined || signal === 0) return null;
  if (typeof signal === 'string') return signal;
  for (const [name, num] of Object.entries(os.constants.signals)) if (num === signal) return name;
  return `SIG${signal}`;
}
