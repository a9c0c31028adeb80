/**
 * Which servers sharing a data dir are alive. The registry files are the
 * store's (store/servers.ts); whether the process behind one still runs is a
 * question for the process table (run/process-table.ts), so the answer is made here and handed to
 * the store's recovery and retention as data. Asked anew each time, never
 * kept: pids are reused.
 */
import { isAlive, processTable } from '../run/process-table.js';
import type { DataPaths } from '../store/data-dir.js';
import type { ServerView } from '../store/recovery.js';
import { readServers, type ServerInfo } from '../store/servers.js';

/** A reused pid does not pass for the old server: its start time must match too. */
export function serverAlive(info: Pick<ServerInfo, 'pid' | 'starttime' | 'process_table'>): boolean {
  return isAlive(info.pid, info.starttime, info.process_table === 'ps' ? 'ps' : 'proc');
}

/** The server's start time if it is in this process's table unit (else null: nothing narrows a scan by it). */
export function startTimeHere(info: Pick<ServerInfo, 'starttime' | 'process_table'>): number | null {
  return (info.process_table ?? 'proc') === processTable().kind ? info.starttime : null;
}

export function liveServers(paths: DataPaths): ServerInfo[] {
  return readServers(paths).filter(serverAlive);
}

/** Every registered server, and which of them (other than `self`) are dead. */
export function serverView(paths: DataPaths, self: string): ServerView {
  const servers = readServers(paths);
  const byId = new Map<string, ServerInfo>(servers.map((s) => [s.id, s]));
  const dead = new Set(servers.filter((s) => s.id !== self && !serverAlive(s)).map((s) => s.id));
  return { byId, dead };
}
