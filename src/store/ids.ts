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
import { FULL_DISK_IDS } from './task-id.js';

/** Full-disk ids per server, and the pids told apart: 10^12 + 9·10^6 × 10^8 stays below 10^15. */
const PER_SERVER = 10 ** 8;
const PIDS = 9_000_000;

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

  /**
   * 10^12 + pid × 10^8 + n: unique among live servers (pids stay below 2^22
   * on Linux, 10^5 on macOS), and within 15 digits (task-id.ts). n counts up
   * and never wraps: while the disk stays full none of these ids has a
   * directory, so a wrapped n would hand out a live task's id again. One a
   * dead server of the same pid saved is skipped.
   */
  private fallback(): string {
    for (;;) {
      if (this.fallbackSeq >= PER_SERVER) throw new Error(`no task id left: ${PER_SERVER} tasks were started while the data dir ${this.paths.root} was full`);
      const id = String(FULL_DISK_IDS + (this.pid % PIDS) * PER_SERVER + this.fallbackSeq++);
      if (!fs.existsSync(path.join(this.paths.tasks, id))) return id;
    }
  }
}
