/** The agent's own bgbash servers, as a hook reaches them: their control sockets and the tasks still running. */
import { ControlClient } from '../control/client.js';
import { isTerminal, type Task } from '../shared/task.js';
import type { DataPaths } from '../store/data-dir.js';
import type { ServerInfo } from '../store/servers.js';
import { matchServers } from './agent-match.js';

export interface HookServer {
  info: ServerInfo;
  client: ControlClient;
}

/** Connects to each of the agent's live servers that has a control socket; unreachable ones are left out. */
export async function connectOwn(paths: DataPaths, fromPid: number): Promise<HookServer[]> {
  const out: HookServer[] = [];
  for (const info of matchServers(paths, fromPid)) {
    if (!info.socket) continue;
    try {
      out.push({ info, client: await ControlClient.connect(info.socket) });
    } catch {
      /* exiting: nothing to wait for there */
    }
  }
  return out;
}

/** Pending and running tasks of these servers, oldest first. */
export async function liveTasks(servers: HookServer[]): Promise<Task[]> {
  const lists = await Promise.all(servers.map((s) => s.client.request('list', {}).then((r) => r.tasks, () => [] as Task[])));
  return lists
    .flat()
    .filter((t) => !isTerminal(t))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export function closeAll(servers: HookServer[]): void {
  for (const s of servers) s.client.close();
}
