/**
 * Where a task's output is read from: the live logs while it runs (their
 * memory tails cover what is not on disk yet), the kept tail of an ended task
 * whose log could not be written, or the log file.
 */
import { estimateTokens } from '../run/clean.js';
import type { Stream } from '../run/process.js';
import type { DataPaths } from '../store/data-dir.js';
import { logFileSize, readLogFile } from '../store/output-log.js';
import type { LiveTask } from './live-task.js';
import type { Task } from '../shared/task.js';
import { taskFile } from '../store/task-files.js';

/** Ended tasks whose tails are kept in memory, at most. */
const MAX_RETAINED = 50;

export class TaskOutputs {
  /** Ended tasks whose log could not be written: their in-memory tail is all there is. */
  private readonly retained = new Map<string, LiveTask>();

  constructor(
    private readonly live: Map<string, LiveTask>,
    private readonly paths: DataPaths,
  ) {}

  private logs(id: string): LiveTask | undefined {
    return this.live.get(id) ?? this.retained.get(id);
  }

  file(id: string, stream: Stream = 'stdout'): string {
    return taskFile(this.paths, id, stream === 'stderr' ? 'stderr' : 'output');
  }

  size(id: string, stream: Stream = 'stdout'): number {
    const lt = this.logs(id);
    return lt ? lt.logFor(stream).total : logFileSize(this.file(id, stream));
  }

  read(id: string, start: number, end: number, stream: Stream = 'stdout'): Promise<Buffer> {
    const lt = this.logs(id);
    if (lt && (stream === 'stdout' || lt.errLog)) return lt.logFor(stream).read(start, end);
    return readLogFile(this.file(id, stream), start, end);
  }

  /** Keeps an ended task's logs in memory when its file is incomplete. */
  settle(id: string, lt: LiveTask): void {
    if (!lt.log.failed && !lt.errLog?.failed) return;
    this.retained.set(id, lt);
    for (const old of this.retained.keys()) {
      if (this.retained.size <= MAX_RETAINED) break;
      this.retained.delete(old);
    }
  }

  /** Its task was removed: its kept tail goes too. */
  forget(id: string): void {
    this.retained.delete(id);
  }

  /** The record with its live output counters. Shell tasks' tokens estimate their output. */
  counted(task: Task, lt = this.live.get(task.id)): Task {
    if (!lt) return task;
    const bytes = lt.log.total + (lt.errLog?.total ?? 0);
    const dropped = lt.log.dropped + (lt.errLog?.dropped ?? 0);
    return { ...task, output_bytes: bytes, output_dropped: dropped, tokens: task.kind === 'shell' ? estimateTokens(bytes) : task.tokens };
  }
}
