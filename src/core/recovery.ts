/**
 * Start-up recovery: what dead servers left is closed (their open records, by
 * the store) and ended (their processes, by every backend that may have left
 * some), and they are forgotten.
 */
import type { Config } from '../config.js';
import { allBackends } from '../run/backends/registry.js';
import type { DataPaths } from '../store/data-dir.js';
import { closeLostTasks, forgetServer } from '../store/recovery.js';
import { serverView } from './live-servers.js';
import type { RecordStore } from '../store/records.js';
import type { Task } from './task.js';

export interface RecoveryReport {
  closed: Task[];
  killed: number;
}

export async function recoverDeadServers(config: Config, paths: DataPaths, records: RecordStore, self: string): Promise<RecoveryReport> {
  const { closed, dead } = closeLostTasks(paths, records, serverView(paths, self), self);
  let killed = 0;
  for (const server of dead) {
    for (const backend of allBackends(config)) {
      killed += (await backend.reapOrphans?.(server.id, server.starttime, config.background.killGrace).catch(() => 0)) ?? 0;
    }
    forgetServer(paths, server);
  }
  return { closed, killed };
}
