/**
 * The reading side of the TaskManager: the tasks it owns and the records of
 * others, their output and ports. The manager (manager.ts) adds what changes
 * them — submit, cancel, input, session ends — over the same state, which it
 * builds in its constructor (table, outputs, records, port watch).
 */
import type { Config } from '../config.js';
import type { Stream } from '../run/process.js';
import type { DataPaths } from '../store/data-dir.js';
import { reportOnce, type ProblemSink, type RecordStore } from '../store/records.js';
import { TaskEmitter } from './events.js';
import type { LiveTask } from './live-task.js';
import type { TaskOutputs } from './outputs.js';
import type { PortWatch } from './port-watch.js';
import { allTasks, findTask, type TaskRef, type TaskSource } from './task-lookup.js';
import type { TaskTable } from './task-table.js';
import { isTerminal, type Task } from '../shared/task.js';

export abstract class TaskReads extends TaskEmitter {
  protected readonly live = new Map<string, LiveTask>();
  protected table!: TaskTable;
  protected outputs!: TaskOutputs;
  records!: RecordStore;
  /** Each running task's ports, in its record; `closely` while a caller waits for the first. */
  portWatch!: PortWatch;
  /** Records on disk that fail their checks: said once each, then skipped. */
  readonly badRecord: ProblemSink = reportOnce((msg) => this.warn(msg));

  constructor(
    readonly config: Config,
    readonly paths: DataPaths,
    readonly serverId: string,
  ) {
    super();
    // Every waiting call and subscriber listens here; many at once is normal.
    this.setMaxListeners(0);
  }

  protected warn(message: string): void {
    this.emit('warning', message);
  }

  // ---- reading ----

  /** Tasks this server owns, newest first. */
  own(): Task[] {
    return this.table.list();
  }

  /** Own tasks plus records of other servers' and earlier runs' tasks, newest first. */
  all(): Task[] {
    return allTasks(this.source());
  }

  /** A task by id or unique id prefix: own tasks first, then records on disk. */
  get(ref: TaskRef): Task {
    return findTask(ref, this.source());
  }

  protected source(): TaskSource {
    return { own: this.table.tasks, paths: this.paths, self: this.serverId, records: this.records, onProblem: this.badRecord };
  }

  /**
   * Retention removed these tasks' records (store/retention.ts): this
   * server's settled ones leave its memory too, so a long-lived daemon holds
   * no more tasks than retention keeps on disk. Ones still finishing (process
   * or output not done) stay. Returns how many went.
   */
  forget(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) {
      if (this.live.has(id) || !this.table.forget(id)) continue;
      this.outputs.forget(id);
      n++;
    }
    return n;
  }

  isOwn(id: string): boolean {
    return this.table.has(id);
  }
  /** Current record of a task, live counters included. */
  fresh(ref: TaskRef): Task {
    return this.outputs.counted(this.get(ref));
  }

  /** Ended, process gone, output complete. */
  isSettled(id: string): boolean {
    return isTerminal(this.get(id)) && !this.live.has(id);
  }

  /** Resolves when the task's process is gone (immediately for tasks without one). */
  processGone(id: string): Promise<void> {
    return this.live.get(id)?.exited ?? Promise.resolve();
  }

  /** The TCP ports a running task listens on: looked at now if it is this server's, else as recorded. */
  ports(id: string): number[] {
    const task = this.get(id);
    return task.state !== 'running' ? [] : this.table.has(task.id) ? this.portWatch.refresh(task.id) : (task.ports ?? []);
  }

  // ---- output ----

  outputSize(id: string, stream: Stream = 'stdout'): number {
    return this.outputs.size(id, stream);
  }

  logFile(id: string, stream: Stream = 'stdout'): string {
    return this.outputs.file(id, stream);
  }

  readOutput(id: string, start: number, end: number, stream: Stream = 'stdout'): Promise<Buffer> {
    return this.outputs.read(id, start, end, stream);
  }

  /** Running, quiet for a while, and its backend sees a read() on its input; null when the backend cannot tell (ps table). */
  waitingForInput(id: string): boolean | null {
    const task = this.table.get(id);
    const lt = this.live.get(id);
    if (!task || task.state !== 'running' || !lt?.proc) return false;
    if (Date.now() - lt.lastOutputAt < this.config.input.quietAfter) return false;
    return lt.proc.waitingForInput();
  }
}
