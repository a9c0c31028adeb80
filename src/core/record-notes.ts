/**
 * What a server does when a task's record cannot be written (a full data
 * dir): the task carries why (`record_error`, in memory only: its notice and
 * task_status say it) while the store writes it again until it can
 * (store/records.ts), and stderr says both once.
 */
import type { TaskTable } from './task-table.js';

export function recordNotes(table: () => TaskTable, warn: (message: string) => void): { notSaved: (err: Error, id: string) => void; saved: (id: string) => void } {
  return {
    notSaved(err, id) {
      const msg = `its record could not be saved (${err.message}); this server keeps it in memory and writes it again every few seconds until there is room`;
      const task = table().get(id);
      if (task?.record_error === msg) return;
      // No save here: it would fail again.
      if (task) table().update(id, (t) => ({ ...t, record_error: msg }));
      warn(`task ${id}: ${msg}`);
    },
    saved(id) {
      if (table().get(id)?.record_error) table().update(id, (t) => ({ ...t, record_error: null }));
      warn(`the record of task ${id} is saved now`);
    },
  };
}
