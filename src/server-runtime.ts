/**
 * One bgbash server process: config, data dir, recovery of dead servers'
 * tasks, the TaskManager, and an orderly shutdown. Transports (MCP stdio/HTTP,
 * control socket) are attached by the caller.
 */
import fs from 'node:fs';
import { ConfigError, type Config } from './config.js';
import { ForegroundRuns } from './core/foreground.js';
import { TaskManager } from './core/manager.js';
import { SessionShells } from './core/shell-state.js';
import { TargetVault } from './notify/vault.js';
import { DEFAULT_DELIVERY } from './notify/deliver.js';
import { Notifier } from './notify/notifier.js';
import { pruneInbox } from './notify/inbox.js';
import { ensureDataDir, type DataPaths } from './store/data-dir.js';
import { pruneTasks } from './store/retention.js';
import { liveServers } from './core/live-servers.js';
import type { RecoveryReport } from './core/recovery.js';
import { ownStartTime, processTable } from './run/process-table.js';
import { newServerId, removeServerInfo, writeServerInfo, type ServerInfo } from './store/servers.js';

export interface Runtime {
  config: Config;
  paths: DataPaths;
  info: ServerInfo;
  manager: TaskManager;
  /** Secrets of deliver_to targets; tasks carry them sealed. */
  vault: TargetVault;
  foreground: ForegroundRuns;
  /** Each MCP session's shell state (cwd, exported variables). */
  shells: SessionShells;
  /** The agent session this server serves. */
  session: string;
  /** Closes what dead servers left behind (their tasks as failed, their processes ended). */
  recover(): Promise<RecoveryReport>;
  /** Cancels every live task, ends their trees, flushes records, unregisters. Idempotent. */
  stop(reason: string): Promise<void>;
  updateInfo(patch: Partial<ServerInfo>): void;
  /** The notifier every session of this server shares (notices go to each task's session). */
  makeNotifier(): Notifier;
  /** Removes old tasks' records and logs (retention), now and every hour, and this server's settled ones from its memory. */
  pruneNow(): void;
}

export async function startRuntime(config: Config): Promise<Runtime> {
  let paths: DataPaths;
  try {
    // access() names the real cause (EROFS, EACCES) where a recursive mkdir says ENOENT.
    if (fs.existsSync(config.dataDir)) fs.accessSync(config.dataDir, fs.constants.W_OK);
    paths = ensureDataDir(config.dataDir);
    // Prove it is writable now, not at the first task.
    const probe = `${paths.servers}/.probe-${process.pid}`;
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new ConfigError(`cannot use the data dir ${config.dataDir}: ${(err as Error).message} (set another with --data-dir or BGBASH_DATA_DIR)`);
  }
  const info: ServerInfo = {
    id: newServerId(),
    pid: process.pid,
    starttime: ownStartTime(),
    process_table: processTable().kind,
    started_at: new Date().toISOString(),
    cwd: process.cwd(),
    session: config.session ?? null,
    socket: null,
    client: null,
    http: null,
  };
  info.session ??= info.id;
  writeServerInfo(paths, info);
  const vault = TargetVault.in(paths.root);
  const manager = new TaskManager(config, paths, info.id, vault);
  manager.on('warning', (msg) => process.stderr.write(`bgbash: ${msg}\n`));
  const foreground = new ForegroundRuns(manager);
  let stopping: Promise<void> | null = null;
  return {
    config,
    paths,
    info,
    manager,
    vault,
    foreground,
    shells: new SessionShells(manager, process.cwd(), config.foreground.keepShellState),
    session: config.session ?? info.id,
    // Loaded on use: start-up answers initialize before it needs the process-killing code.
    recover: async () => (await import('./core/recovery.js')).recoverDeadServers(config, paths, manager.records, info.id),
    updateInfo(patch) {
      Object.assign(info, patch);
      // A client's name or the control socket can arrive while the server stops: its entry must stay removed.
      if (!stopping) writeServerInfo(paths, info);
    },
    makeNotifier: () =>
      new Notifier(manager, foreground, {
        tailLines: config.notices.tailLines,
        lineIntervalMs: 1000,
        maxLineNotices: 50,
        vault,
        delivery: { ...DEFAULT_DELIVERY, telegram: config.telegram },
      }),
    pruneNow() {
      try {
        const live = liveServers(paths);
        const others = new Set(live.map((s) => s.id).filter((id) => id !== info.id));
        const removed = pruneTasks(paths, { maxTasks: config.retention.maxTasks, maxAgeMs: config.retention.maxAge }, others, manager.badRecord);
        // The daemon outlives many retention periods: what left the disk leaves its memory too.
        manager.forget(removed);
        // Notices of sessions nobody serves any more: hooks check the inbox after every tool call.
        pruneInbox(paths, new Set(live.flatMap((s) => (s.session ? [s.session] : []))));
      } catch (err) {
        process.stderr.write(`bgbash: pruning old tasks failed: ${(err as Error).message}\n`);
      }
    },
    stop(reason) {
      stopping ??= (async () => {
        await manager.shutdown(reason);
        removeServerInfo(paths, info.id);
      })();
      return stopping;
    },
  };
}
