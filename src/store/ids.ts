/**
 * Task ids: small numbers (#42), the easiest thing to type. Unique across all
 * servers sharing a data dir because an id is claimed by creating its
 * directory, which fails for everyone but the first.
 *
 * A full data dir (no blocks or no inodes) fails every claim, and two servers
 * handing out the same unclaimed number once made two tasks of one id. A
 * server that cannot claim hands out an id of its own range instead: above
 * 10^12, from its pid (which no other live process has), never one whose
 * directory exists, and never counted as the highest id by the next server.
 * The task's directory is made when its record can be written (store/records.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from './data-dir.js';
import { taskDirNames } from './records.js';

/** Where the ids of a full disk start: no data dir counts this high with small numbers. */
export const FULL_DISK_IDS = 10 ** 12;

export class IdAllocator {
  private next: number;
  private fallbackSeq = 0;

  constructor(
    private readonly paths: DataPaths,
    private readonly pid = process.pid,
  ) {
    let max = 0;
    for (const name of taskDirNames(paths)) if (Number(name) < FULL_DISK_IDS) max = Math.max(max, Number(name));
    this.next = max + 1;
  }

  /**
   * Claims a fresh id and creates its directory. When the data dir cannot be
   * written (full, read-only) the task still runs, with an id of this
   * server's own range (`onError` says why).
   */
  allocate(onError: (err: Error) => void): string {
    for (;;) {
      const id = String(this.next++);
      try {
        fs.mkdirSync(path.join(this.paths.tasks, id), { mode: 0o700 });
        return id;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        // Not claimed: the next server (or this one, once there is room) may take this number.
        this.next--;
        onError(err as Error);
        return this.fallback();
      }
    }
  }

  /** pid × 1000 + n above 10^12: unique among live servers; one a dead server of the same pid saved is skipped. */
  private fallback(): string {
    for (let tries = 0; ; tries++) {
      const id = String(FULL_DISK_IDS + (this.pid % 10 ** 9) * 1000 + (this.fallbackSeq++ % 1000));
      if (tries >= 1000 || !fs.existsSync(path.join(this.paths.tasks, id))) return id;
    }
  }
}
