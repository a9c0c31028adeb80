/**
 * The retention rule: ended tasks beyond the newest `maxTasks`, or that ended
 * more than `maxAgeMs` ago, are removed with their output. Only tasks whose
 * server is this one or is gone are touched; a running task never is. Only
 * `tasks/<digits>/` directories holding a good record are ever removed: the
 * id comes from the directory's name (records.ts checks the record's own id
 * matches), and a symlink is never followed. A removed task's MCP task
 * handle (`mcp-tasks/<id>.json`) goes with it, and so does any handle file
 * left without its task (removed before handles were pruned, or by hand).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isTerminal } from '../shared/task.js';
import { taskDir, type DataPaths } from './data-dir.js';
import { loadAllRecords, type ProblemSink } from './records.js';
import { isTaskId } from './task-id.js';

/** `live`: the ids of the other servers that are alive now (their tasks are theirs to keep). */
export function pruneTasks(paths: DataPaths, keep: { maxTasks: number; maxAgeMs: number }, live: ReadonlySet<string>, onProblem?: ProblemSink): string[] {
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
  pruneHandles(paths);
  return removed;
}

const HANDLE_FILE_RE = /^([0-9]{1,15})\.json$/;

/** Handle files whose task directory is gone. Only `<digits>.json` entries that are plain files (never a symlink's target) are touched. */
function pruneHandles(paths: DataPaths): void {
  let names: string[];
  try {
    names = fs.readdirSync(paths.mcpTasks);
  } catch {
    return; // no handles were ever given out
  }
  for (const name of names) {
    const id = HANDLE_FILE_RE.exec(name)?.[1];
    if (!id || !isTaskId(id) || fs.existsSync(taskDir(paths, id))) continue;
    const file = path.join(paths.mcpTasks, name);
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) fs.rmSync(file, { force: true });
  }
}
