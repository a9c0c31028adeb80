/**
 * Start-up recovery: what dead servers left is closed (their open records, by
 * the store) and ended (their processes, by every backend that may have left
 * some), and they are forgotten.
 */
import type { Config } from '../config.js';
import { allBackends, BUILT_IN_BACKENDS } from '../run/backends/registry.js';
import type { DataPaths } from '../store/data-dir.js';
import { closeLostTasks, forgetServer } from '../store/recovery.js';
import { serverView, startTimeHere } from './live-servers.js';
import type { RecordStore } from '../store/records.js';
import { type Task } from '../shared/task.js';
import { backendOf } from '../shared/task-fields.js';

export interface RecoveryReport {
  closed: Task[];
  killed: number;
}

export async function recoverDeadServers(config: Config, paths: DataPaths, records: RecordStore, self: string): Promise<RecoveryReport> {
  const { closed, dead } = closeLostTasks(paths, records, serverView(paths, self), self);
  let killed = 0;
  for (const server of dead) {
    // Local backends are always looked at (a process table scan); a configured one (an ssh host: a connection) only when one
    // of the server's unfinished tasks ran there.
    const used = new Set(closed.filter((t) => t.server === server.id).map(backendOf));
    for (const backend of allBackends(config).filter((b) => BUILT_IN_BACKENDS.includes(b.name) || used.has(b.name))) {
      killed += (await backend.reapOrphans?.(server.id, startTimeHere(server), config.background.killGrace).catch(() => 0)) ?? 0;
    }
    forgetServer(paths, server);
  }
  return { closed, killed };
}
