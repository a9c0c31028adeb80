/**
 * The retention rule: ended tasks beyond the newest `maxTasks`, or that ended
 * more than `maxAgeMs` ago, are removed with their output. Only tasks whose
 * server is this one or is gone are touched; a running task never is.
 */
import fs from 'node:fs';
import { isTerminal } from '../core/task.js';
import { taskDir, type DataPaths } from './data-dir.js';
import { loadAllRecords } from './records.js';
import { liveServers } from './servers.js';

export function pruneTasks(paths: DataPaths, keep: { maxTasks: number; maxAgeMs: number }, self: string): string[] {
  const live = new Set(liveServers(paths).map((s) => s.id));
  live.delete(self);
  const cutoff = Date.now() - keep.maxAgeMs;
  const removed: string[] = [];
  loadAllRecords(paths).forEach((task, index) => {
    if (!isTerminal(task) || live.has(task.server)) return;
    if (index < keep.maxTasks && Date.parse(task.ended_at) >= cutoff) return;
    fs.rmSync(taskDir(paths, task.id), { recursive: true, force: true });
    removed.push(task.id);
  });
  return removed;
}
