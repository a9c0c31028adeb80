/**
 * Crash repair outside a server (the CLI's commands, the Tasks page): closes
 * what dead servers left `running`/`pending` — the repair the next `serve`
 * would make — so no view shows a task as running under a server that is
 * gone. What it closed is announced through a NoticeOutbox, the path the
 * server's own recovery takes: the session's inbox and the task's deliver_to
 * targets (whose outcomes go into the record).
 */
import type { Config } from '../config.js';
import { serverAlive } from '../core/live-servers.js';
import { recoverDeadServers } from '../core/recovery.js';
import type { DataPaths } from '../store/data-dir.js';
import { RecordStore } from '../store/records.js';
import { readServers } from '../store/servers.js';
import { DEFAULT_DELIVERY } from './deliver.js';
import { NoticeOutbox } from './outbox.js';
import { TargetVault } from './vault.js';

/** Resolves once the records are closed and every announcement has gone out. */
export async function repairDeadServers(config: Config, paths: DataPaths, warn: (message: string) => void = () => undefined): Promise<void> {
  // Records are left open only by a server that died still registered: no dead entry, nothing to read.
  if (!readServers(paths).some((s) => !serverAlive(s))) return;
  const records = new RecordStore(paths, () => undefined);
  const report = await recoverDeadServers(config, paths, records, 'cli');
  if (report.closed.length === 0) return;
  const outbox = new NoticeOutbox(paths, {
    vault: TargetVault.in(paths.root),
    delivery: { ...DEFAULT_DELIVERY, telegram: config.telegram },
    noteDelivery(id, delivery) {
      const task = records.load(id);
      if (task) records.save({ ...task, deliveries: [...(task.deliveries ?? []), delivery] }, true);
      if (!delivery.ok) warn(`task ${id}: notice to ${delivery.target} failed: ${delivery.error}`);
    },
    warn,
  });
  await Promise.all(report.closed.map((task) => outbox.announce(task)));
  await records.flush();
}
