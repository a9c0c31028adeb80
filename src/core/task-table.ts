/**
 * The tasks this server owns, and the one way their state changes: apply()
 * runs transition(), writes the record and tells the listeners. Everything
 * else reads from here.
 */
import type { RecordStore } from '../store/records.js';
import type { TaskEmitter } from './events.js';
import { isTerminal, transition, type Task, type TaskEvent } from '../shared/task.js';

export class TaskTable {
  readonly tasks = new Map<string, Task>();

  constructor(
    private readonly records: RecordStore,
    private readonly events: TaskEmitter,
  ) {}

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  /** A task that exists: ids here come from the table itself. */
  must(id: string): Task {
    return this.tasks.get(id)!;
  }

  has(id: string): boolean {
    return this.tasks.has(id);
  }

  /** Newest first. */
  list(): Task[] {
    return [...this.tasks.values()].reverse();
  }

  /** Drops an ended task whose record retention removed (a daemon runs for weeks: the table must not keep every task it ever ran). */
  forget(id: string): boolean {
    const task = this.tasks.get(id);
    return task !== undefined && isTerminal(task) && this.tasks.delete(id);
  }

  /** A new task, recorded and announced. */
  add(task: Task): void {
    this.tasks.set(task.id, task);
    this.records.save(task, false);
    this.events.emit('created', task);
  }

  /** Fields that are not state (counters, notes): in memory; written with `save`. */
  update(id: string, patch: (task: Task) => Task, save = false): Task {
    const next = patch(this.must(id));
    this.tasks.set(id, next);
    if (save) this.records.save(next, false);
    return next;
  }

  /** Writes the record durably as it stands (a settled task's final record). */
  persist(id: string): void {
    this.records.save(this.must(id), true);
  }

  apply(id: string, event: TaskEvent): Task {
    const prev = this.must(id);
    const next = transition(prev, event);
    this.tasks.set(id, next);
    this.records.save(next, prev.state !== next.state);
    this.events.emit('changed', next, prev);
    if (!isTerminal(prev) && isTerminal(next)) this.events.emit('ended', next);
    return next;
  }
}
