/** The one place that knows a task's files: tasks/<id>/{record.json, output.log, stderr.log, shell-state}. */
import path from 'node:path';
import { taskDir, type DataPaths } from './data-dir.js';

// shell-state: what a foreground call's shell changed (run/state-capture.ts), read and removed when it ends.
const NAMES = { record: 'record.json', output: 'output.log', stderr: 'stderr.log', shellState: 'shell-state' } as const;
export type TaskFileKind = keyof typeof NAMES;

export { taskDir };

export function taskFile(paths: DataPaths, id: string, kind: TaskFileKind): string {
  return path.join(taskDir(paths, id), NAMES[kind]);
}

/** A task directory's own file of a kind (for code that holds the directory, not the data paths). */
export function fileIn(dir: string, kind: TaskFileKind): string {
  return path.join(dir, NAMES[kind]);
}
