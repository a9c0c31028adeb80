/** bgbash's task records in a workspace's data dir, read as the CLI would. */
import fs from 'node:fs';
import path from 'node:path';
import type { Workspace } from './workspace.js';

export interface TaskRecord {
  id: string;
  state: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  ended_at?: string;
  error?: string | null;
  exit_code?: number | null;
  signal?: string | null;
}

export function taskRecord(ws: Workspace, id: string): TaskRecord | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(ws.dataDir, 'tasks', id, 'record.json'), 'utf8')) as TaskRecord;
  } catch {
    return null;
  }
}

/** Milliseconds from the task's end (its record) to `at`. */
export function sinceEnd(ws: Workspace, id: string, at: number): number {
  const ended = taskRecord(ws, id)?.ended_at;
  if (!ended) throw new Error(`task ${id} has not ended`);
  return at - Date.parse(ended);
}

/** Whether the task's notice waits in an inbox (not yet delivered by any path). */
export function noticeWaiting(ws: Workspace, id: string): boolean {
  const inbox = path.join(ws.dataDir, 'inbox');
  try {
    return fs.readdirSync(inbox).some((session) => fs.existsSync(path.join(inbox, session, `${id}.json`)));
  } catch {
    return false;
  }
}
