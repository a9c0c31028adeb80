/** Finding the live servers of a data dir and connecting to them. */
import type { DataPaths } from '../store/data-dir.js';
import { liveServers, type ServerInfo } from '../store/servers.js';
import { ControlClient } from './client.js';

export interface Connected {
  info: ServerInfo;
  client: ControlClient;
}

/** Every live server with a socket that answers, newest first. */
export async function connectAll(paths: DataPaths): Promise<Connected[]> {
  const servers = liveServers(paths)
    .filter((s) => s.socket)
    .sort((a, b) => b.started_at.localeCompare(a.started_at));
  const out: Connected[] = [];
  await Promise.all(
    servers.map(async (info) => {
      try {
        out.push({ info, client: await ControlClient.connect(info.socket!) });
      } catch {
        /* starting up or going away: not a server to talk to right now */
      }
    }),
  );
  return out.sort((a, b) => b.info.started_at.localeCompare(a.info.started_at));
}

export function closeAll(conns: Connected[]): void {
  for (const c of conns) c.client.close();
}
