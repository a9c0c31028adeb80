/**
 * Repairing the records a dead server left behind: records it left `running`
 * or `pending` are closed as `failed` (reason `server_lost`) with an error
 * saying the server exited, their output kept; its registry entry and socket
 * are removed. A live server's tasks are never touched. Ending the processes
 * it left is the backends' job (core/recovery.ts).
 */
import fs from 'node:fs';
import type { Task } from '../shared/task.js';
import { transition } from '../shared/task.js';
import type { DataPaths } from './data-dir.js';
import { logFileSize } from './output-log.js';
import { taskFile } from './task-files.js';
import { loadAllRecords, type RecordStore } from './records.js';
import { removeServerInfo, type ServerInfo } from './servers.js';

/**
 * Which servers sharing the data dir are alive, as data (core/live-servers.ts
 * makes it from /proc); read once per question, never kept (pids are reused).
 */
export interface ServerView {
  byId: Map<string, ServerInfo>;
  dead: Set<string>;
}

/**
 * The truth about a record another server left open: null while its server
 * lives, else the record closed as `server_lost`. A record whose server has
 * no registry entry is a dead server's (entries are removed only after their
 * server stopped, and a server registers before it creates any task).
 */
export function lostTask(task: Task, view: ServerView, self: string, paths: DataPaths, at = new Date().toISOString()): Task | null {
  if (task.state !== 'running' && task.state !== 'pending') return null;
  if (task.server === self) return null;
  const owner = view.byId.get(task.server);
  if (owner && !view.dead.has(owner.id)) return null;
  const who = owner ? `server pid ${owner.pid}` : `server ${task.server}`;
  const error =
    task.state === 'running'
      ? `the bgbash server that ran this task (${who}) exited while it was running; output up to then is kept`
      : `the bgbash server that queued this task (${who}) exited before it started`;
  const closed = transition(task, { type: 'fail', error, reason: 'server_lost', at });
  const size = logFileSize(taskFile(paths, task.id, 'output'));
  return size > closed.output_bytes ? { ...closed, output_bytes: size } : closed;
}

/** Closes every open record of a dead server; returns them, and the dead servers. */
export function closeLostTasks(paths: DataPaths, records: RecordStore, view: ServerView, self: string): { closed: Task[]; dead: ServerInfo[] } {
  const closed: Task[] = [];
  for (const task of loadAllRecords(paths)) {
    const lost = lostTask(task, view, self, paths);
    if (!lost) continue;
    records.save(lost, true);
    closed.push(lost);
  }
  return { closed, dead: [...view.dead].map((id) => view.byId.get(id)!) };
}

/** A dead server's registry entry and socket. */
export function forgetServer(paths: DataPaths, info: ServerInfo): void {
  // Only ever a socket: the path comes from a file on disk, and must not delete anything else.
  if (info.socket && fs.lstatSync(info.socket, { throwIfNoEntry: false })?.isSocket()) fs.rmSync(info.socket, { force: true });
  removeServerInfo(paths, info.id);
}
