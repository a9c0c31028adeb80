/**
 * Task ids: small numbers (#42), the easiest thing to type. Unique across all
 * servers sharing a data dir because an id is claimed by creating its
 * directory, which fails for everyone but the first.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from './data-dir.js';
import { taskDirNames } from './records.js';

export class IdAllocator {
  private next: number;

  constructor(private readonly paths: DataPaths) {
    let max = 0;
    for (const name of taskDirNames(paths)) max = Math.max(max, Number(name));
    this.next = max + 1;
  }

  /**
   * Claims a fresh id and creates its directory. When the data dir cannot be
   * written (full, read-only) the id is still handed out, so the task runs;
   * it just has no record on disk (`onError` says so).
   */
  allocate(onError: (err: Error) => void): string {
    for (;;) {
      const id = String(this.next++);
      try {
        fs.mkdirSync(path.join(this.paths.tasks, id), { mode: 0o700 });
        return id;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        onError(err as Error);
        return id;
      }
    }
  }
}
