/** Finding the live servers of a data dir, connecting to them, and what they (and the records) say about tasks. */
import { UserError } from '../shared/errors.js';
import { liveServers } from '../core/live-servers.js';
import { isTerminal, type Task } from '../shared/task.js';
import type { DataPaths } from '../store/data-dir.js';
import { loadAllRecords, type ProblemSink } from '../store/records.js';
import type { ServerInfo } from '../store/servers.js';
import { ControlClient } from './client.js';

export const NO_SERVER = 'no bgbash server is running. Start one with `bgbash serve` (your agent does this when bgbash is in its MCP config).';

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

/** The live server that owns a task; a clear error when it is gone. */
export async function ownerOf(paths: DataPaths, task: Task): Promise<Connected> {
  const live = liveServers(paths);
  const info = live.find((s) => s.id === task.server);
  if (!info || !info.socket) {
    if (live.length === 0) throw new UserError(NO_SERVER);
    throw new UserError(`task ${task.id} belongs to bgbash server ${task.server}, which is no longer running${isTerminal(task) ? '' : ' (its record will be closed when a server starts)'}`);
  }
  return { info, client: await ControlClient.connect(info.socket) };
}

/**
 * Every task of the data dir, newest first: the records on disk, with the
 * live servers' fresher copies (output counters) over them. `conns` are the
 * servers to ask (all live ones by default); they are closed here.
 */
export async function currentTasks(paths: DataPaths, onProblem?: ProblemSink, conns?: Connected[]): Promise<Task[]> {
  const byId = new Map(loadAllRecords(paths, undefined, onProblem).map((t) => [t.id, t]));
  const asked = conns ?? (await connectAll(paths).catch(() => []));
  try {
    for (const c of asked) {
      const { tasks } = await c.client.request('list', {}).catch(() => ({ tasks: [] as Task[] }));
      for (const t of tasks) byId.set(t.id, t);
    }
  } finally {
    closeAll(asked);
  }
  return [...byId.values()].sort((a, b) => b.id.length - a.id.length || (a.id < b.id ? 1 : -1));
}
