/** The one place that knows a task's files: tasks/<id>/{record.json, output.log, stderr.log}. */
import path from 'node:path';
import { taskDir, type DataPaths } from './data-dir.js';

const NAMES = { record: 'record.json', output: 'output.log', stderr: 'stderr.log' } as const;
export type TaskFileKind = keyof typeof NAMES;

export { taskDir };

export function taskFile(paths: DataPaths, id: string, kind: TaskFileKind): string {
  return path.join(taskDir(paths, id), NAMES[kind]);
}

/** A task directory's own file of a kind (for code that holds the directory, not the data paths). */
export function fileIn(dir: string, kind: TaskFileKind): string {
  return path.join(dir, NAMES[kind]);
}
