/** The CLI's share of crash recovery. */
import { isTerminal } from '../core/task.js';
import { putNotice } from '../notify/inbox.js';
import { endNotice } from '../notify/notice.js';
import { RecordStore } from '../store/records.js';
import { recoverDeadServers } from '../core/recovery.js';
import { readServers, serverAlive } from '../store/servers.js';
import type { Cli } from './context.js';

/**
 * Closes what dead servers left `running`/`pending` — the repair the next
 * `serve` would make — so no view shows a task as running under a server that
 * is gone. The notices go to each task's session inbox, as `serve` does.
 */
export async function repairDeadServers(cli: Cli): Promise<void> {
  // Records are left open only by a server that died still registered: no dead entry, nothing to read.
  if (!readServers(cli.paths).some((s) => !serverAlive(s))) return;
  const records = new RecordStore(cli.paths, () => undefined);
  const report = await recoverDeadServers(cli.config, cli.paths, records, 'cli');
  for (const task of report.closed) {
    if (task.session && isTerminal(task)) {
      try {
        putNotice(cli.paths, task.session, endNotice(task, []));
      } catch {
        /* read-only data dir: the next server announces it */
      }
    }
  }
}

