/**
 * The retention rule: ended tasks beyond the newest `maxTasks`, or that ended
 * more than `maxAgeMs` ago, are removed with their output. Only tasks whose
 * server is this one or is gone are touched; a running task never is. Only
 * `tasks/<digits>/` directories holding a good record are ever removed: the
 * id comes from the directory's name (records.ts checks the record's own id
 * matches), and a symlink is never followed.
 */
import fs from 'node:fs';
import { isTerminal } from '../core/task.js';
import { taskDir, type DataPaths } from './data-dir.js';
import { loadAllRecords, type ProblemSink } from './records.js';
import { isTaskId } from './task-id.js';
import { liveServers } from './servers.js';

export function pruneTasks(paths: DataPaths, keep: { maxTasks: number; maxAgeMs: number }, self: string, onProblem?: ProblemSink): string[] {
  const live = new Set(liveServers(paths).map((s) => s.id));
  live.delete(self);
  const cutoff = Date.now() - keep.maxAgeMs;
  const removed: string[] = [];
  loadAllRecords(paths, undefined, onProblem).forEach((task, index) => {
    if (!isTerminal(task) || live.has(task.server)) return;
    if (index < keep.maxTasks && Date.parse(task.ended_at) >= cutoff) return;
    const dir = taskDir(paths, task.id);
    if (!isTaskId(task.id) || !fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(task.id);
  });
  return removed;
}
