/**
 * Finding tasks — the one place for it, used by the server and the CLI: a
 * server's own tasks from memory, then the records every server sharing the
 * data dir wrote. A record another server left open while that server is dead
 * is shown as what it is (failed, `server_lost`) even before recovery closes it
 * on disk: the first read after a crash already tells the truth.
 */
import { estimateTokens } from '../run/clean.js';
import type { DataPaths } from '../store/data-dir.js';
import { logFileSize } from '../store/output-log.js';
import { loadAllRecords, RecordStore, type ProblemSink } from '../store/records.js';
import { lostTask, type ServerView } from '../store/recovery.js';
import { parseTaskRef } from '../store/task-id.js';
import { taskFile } from '../store/task-files.js';
import { NotFoundError, UserError } from '../shared/errors.js';
import { serverView } from './live-servers.js';
import type { Task } from '../shared/task.js';

/** How callers name a task: digits, "#digits", a digit prefix, or a number (agents send 14 as often as "14"). */
export type TaskRef = string | number;

export interface TaskSource {
  /** Tasks this process owns, in memory (empty for the CLI). */
  own: Map<string, Task>;
  paths: DataPaths;
  /** This server's id ("cli" for the CLI). */
  self: string;
  records?: RecordStore;
  /** Records that fail their checks are reported here and skipped. */
  onProblem?: ProblemSink;
}

/** A record as it really stands: closed when its server is gone, with the output its log holds. */
function truthOf(task: Task, src: TaskSource, view: () => ServerView): Task {
  const lost = task.state === 'running' || task.state === 'pending' ? lostTask(task, view(), src.self, src.paths) : null;
  return withDiskSize(lost ?? task, src.paths);
}

function lazyView(src: TaskSource): () => ServerView {
  let view: ServerView | null = null;
  return () => (view ??= serverView(src.paths, src.self));
}

/** Own tasks plus the records of other servers' and earlier runs' tasks, newest first. */
export function allTasks(src: TaskSource): Task[] {
  // Own tasks are in memory: only other servers' records are read.
  const view = lazyView(src);
  const others = loadAllRecords(src.paths, src.own, src.onProblem).map((t) => truthOf(t, src, view));
  return [...[...src.own.values()].reverse(), ...others].sort((a, b) => Number(b.id) - Number(a.id) || (a.id < b.id ? 1 : -1));
}

/** A task by id (number or digits), "#id" or unique id prefix. An exact id wins over a prefix. */
export function findTask(ref: TaskRef, src: TaskSource): Task {
  const key = parseTaskRef(ref);
  const mine = src.own.get(key);
  if (mine) return mine;
  const onDisk = (src.records ?? new RecordStore(src.paths, () => undefined, src.onProblem)).load(key);
  if (onDisk) return truthOf(onDisk, src, lazyView(src));
  const matches = allTasks(src).filter((t) => t.id.startsWith(key));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UserError(`task id "${key}" is ambiguous: it matches ${matches.slice(0, 8).map((t) => t.id).join(', ')}${matches.length > 8 ? ', …' : ''}`, 'task_id');
  }
  throw new NotFoundError(`no task with id "${key}" (task_list shows the known ids)`, 'task_id');
}

/** A record from disk, with the output its log really holds (it may have grown since the record was written). */
function withDiskSize(task: Task, paths: DataPaths): Task {
  const size = logFileSize(taskFile(paths, task.id, 'output'));
  return size > task.output_bytes ? { ...task, output_bytes: size, tokens: task.kind === 'shell' ? estimateTokens(size) : task.tokens } : task;
}
