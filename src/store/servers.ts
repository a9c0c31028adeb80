/**
 * The server registry of a data dir. Each `serve` writes servers/<id>.json with
 * its pid and the pid's start time, so "is it alive" can be checked, not
 * assumed (core/live-servers.ts asks /proc; the store reads no processes).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from './data-dir.js';

export interface ServerInfo {
  id: string;
  pid: number;
  starttime: number | null;
  /** Which process table's unit starttime is in ('proc' when absent: written before ps tables existed). */
  process_table?: 'proc' | 'ps';
  started_at: string;
  cwd: string;
  /** The agent session it serves: its notices wait in inbox/<session>/. */
  session: string | null;
  socket: string | null;
  client: string | null;
  http: string | null;
  /** An agent session served by a daemon: that daemon's server id (its tasks are the daemon's). */
  daemon?: string;
  /** This entry is a daemon, serving the agent sessions of the data dir. */
  role?: 'daemon';
}

/** Server ids are 8 hex digits; an entry whose file name is not `<id>.json` is not ours. */
const SERVER_ID_RE = /^[0-9a-f]{8}$/;

export function newServerId(): string {
  return crypto.randomBytes(4).toString('hex');
}

export function serverFile(paths: DataPaths, id: string): string {
  return path.join(paths.servers, `${id}.json`);
}

export function writeServerInfo(paths: DataPaths, info: ServerInfo): void {
  const file = serverFile(paths, info.id);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeServerInfo(paths: DataPaths, id: string): void {
  fs.rmSync(serverFile(paths, id), { force: true });
}

export function readServers(paths: DataPaths): ServerInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(paths.servers);
  } catch {
    return [];
  }
  const out: ServerInfo[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || !SERVER_ID_RE.test(name.slice(0, -5))) continue;
    try {
      const info = JSON.parse(fs.readFileSync(path.join(paths.servers, name), 'utf8')) as ServerInfo;
      // Its id names files to remove and processes to end: it must be the file's own name.
      if (info?.id !== name.slice(0, -5) || !Number.isSafeInteger(info.pid) || info.pid <= 0) continue;
      out.push(info);
    } catch {
      /* being written */
    }
  }
  return out;
}
