/**
 * Repairing what a dead server left behind: records it left `running` or
 * `pending` are closed as `failed` with an error saying the server exited,
 * their output kept; processes it left alive are ended; its registry entry and
 * socket are removed. A live server's tasks are never touched.
 */
import fs from 'node:fs';
import type { Task } from '../core/task.js';
import { transition } from '../core/task.js';
import { killTree } from '../run/kill-tree.js';
import { hasProc, markedProcesses } from '../run/proc.js';
import type { DataPaths } from './data-dir.js';
import { logFileSize } from './output-log.js';
import { loadAllRecords, type RecordStore } from './records.js';
import { readServers, removeServerInfo, serverAlive, type ServerInfo } from './servers.js';
import path from 'node:path';

export interface RecoveryReport {
  closed: Task[];
  killed: number;
}

export async function recoverDeadServers(paths: DataPaths, records: RecordStore, self: string, graceMs: number): Promise<RecoveryReport> {
  const servers = readServers(paths);
  const byId = new Map<string, ServerInfo>(servers.map((s) => [s.id, s]));
  const dead = new Set<string>();
  for (const s of servers) {
    if (s.id !== self && !serverAlive(s)) dead.add(s.id);
  }
  const report: RecoveryReport = { closed: [], killed: 0 };
  const now = new Date().toISOString();
  for (const task of loadAllRecords(paths)) {
    if (task.state !== 'running' && task.state !== 'pending') continue;
    if (task.server === self) continue;
    const owner = byId.get(task.server);
    // No registry entry: the server is gone (entries are removed only after
    // their server stopped) — unless it is alive and merely unregistered, which
    // cannot happen: a server registers before it creates any task.
    if (owner && !dead.has(owner.id)) continue;
    const who = owner ? `server pid ${owner.pid}` : `server ${task.server}`;
    const error =
      task.state === 'running'
        ? `the bgbash server that ran this task (${who}) exited while it was running; output up to then is kept`
        : `the bgbash server that queued this task (${who}) exited before it started`;
    const closed = withOutputSize(transition(task, { type: 'fail', error, at: now }), paths);
    records.save(closed, true);
    report.closed.push(closed);
  }
  for (const id of dead) {
    if (hasProc) {
      // Processes the dead server's tasks left behind carry its marker.
      const orphans = markedProcesses(`${id}:`, byId.get(id)?.starttime ?? null);
      report.killed += orphans.length;
      for (const p of orphans) await killTree(p.pid, { graceMs, marker: null });
    }
    const info = byId.get(id);
    // Only ever a socket: the path comes from a file on disk, and must not delete anything else.
    if (info?.socket && fs.lstatSync(info.socket, { throwIfNoEntry: false })?.isSocket()) fs.rmSync(info.socket, { force: true });
    removeServerInfo(paths, id);
  }
  return report;
}

function withOutputSize(task: Task, paths: DataPaths): Task {
  const size = logFileSize(path.join(paths.tasks, task.id, 'output.log'));
  return size > task.output_bytes ? { ...task, output_bytes: size } : task;
}
