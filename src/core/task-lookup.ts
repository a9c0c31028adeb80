/** Finding tasks: this server's own, then the records every server sharing the data dir wrote. */
import path from 'node:path';
import { estimateTokens } from '../run/clean.js';
import { taskDir, type DataPaths } from '../store/data-dir.js';
import { logFileSize } from '../store/output-log.js';
import { loadAllRecords, type ProblemSink, type RecordStore } from '../store/records.js';
import { parseTaskRef } from '../store/task-id.js';
import { NotFoundError, UserError } from './errors.js';
import type { Task } from './task.js';

/** How callers name a task: digits, "#digits", a digit prefix, or a number (agents send 14 as often as "14"). */
export type TaskRef = string | number;

/** Own tasks plus the records of other servers' and earlier runs' tasks, newest first. */
export function allTasks(own: Map<string, Task>, paths: DataPaths, onProblem?: ProblemSink): Task[] {
  // Own tasks are in memory: only other servers' records are read.
  const others = loadAllRecords(paths, own, onProblem);
  return [...[...own.values()].reverse(), ...others].sort((a, b) => Number(b.id) - Number(a.id) || (a.id < b.id ? 1 : -1));
}

/** A task by id (number or digits), "#id" or unique id prefix. An exact id wins over a prefix. */
export function findTask(ref: TaskRef, own: Map<string, Task>, paths: DataPaths, records: RecordStore, onProblem?: ProblemSink): Task {
  const key = parseTaskRef(ref);
  const mine = own.get(key);
  if (mine) return mine;
  const onDisk = records.load(key);
  if (onDisk) return withDiskSize(onDisk, paths);
  const matches = allTasks(own, paths, onProblem).filter((t) => t.id.startsWith(key));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UserError(`task id "${key}" is ambiguous: it matches ${matches.slice(0, 8).map((t) => t.id).join(', ')}${matches.length > 8 ? ', …' : ''}`, 'task_id');
  }
  throw new NotFoundError(`no task with id "${key}" (task_list shows the known ids)`, 'task_id');
}

/** A record from disk, with the output its log really holds (it may have grown since the record was written). */
function withDiskSize(task: Task, paths: DataPaths): Task {
  const size = logFileSize(path.join(taskDir(paths, task.id), 'output.log'));
  return size > task.output_bytes ? { ...task, output_bytes: size, tokens: task.kind === 'shell' ? estimateTokens(size) : task.tokens } : task;
}
