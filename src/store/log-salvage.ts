/**
 * Writing out a task's output log whose writes failed (the data dir was
 * full) once the task has ended: the part the file has, a line saying how
 * much was lost, then the tail the server kept in memory. Tried while there
 * is no room, backing off, for about an hour (each try holds the tail in
 * memory); not at all once the task's directory is gone (retention, or by
 * hand: the file could never be made). The server's own reads keep using the
 * file's good part and the memory tail, so this changes nothing for them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../shared/units.js';
import { isFullDiskId, isTaskId } from './task-id.js';

const FIRST_MS = 500;
const MAX_MS = 5000;
/** ~1 hour of tries at MAX_MS: a data dir full for longer than that is not waited for. */
const MAX_TRIES = 720;

export type SalvageOutcome = 'saved' | 'gone' | 'gave up';

/**
 * `tail` holds the output from byte `tailStart` to its end; the file is good
 * up to `goodBytes` at most. Resolves with how it ended (the server does not
 * wait for it).
 */
export function salvageLog(file: string, goodBytes: number, tailStart: number, tail: Buffer, onSaved?: (lost: number) => void): Promise<SalvageOutcome> {
  // An id handed out on a full disk has no directory until its record can be written (store/ids.ts): missing is not gone.
  const id = path.basename(path.dirname(file));
  const dirComes = isTaskId(id) && isFullDiskId(id);
  let wait = FIRST_MS;
  let tries = 0;
  let settle!: (outcome: SalvageOutcome) => void;
  const outcome = new Promise<SalvageOutcome>((resolve) => (settle = resolve));
  const attempt = (): void => {
    let lost = 0;
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
      try {
        // Writes counted as sent may not all have reached the file: what it holds is what is good.
        const good = Math.min(goodBytes, fs.fstatSync(fd).size, tailStart + tail.length);
        lost = Math.max(0, tailStart - good);
        const note = lost > 0 ? Buffer.from(`\n[bgbash: ${formatBytes(lost)} of output were not saved: the data dir was full while the task ran]\n`) : Buffer.alloc(0);
        const rest = Buffer.concat([note, tail.subarray(Math.max(0, good - tailStart))]);
        fs.ftruncateSync(fd, good);
        fs.writeSync(fd, rest, 0, rest.length, good);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      // ENOENT: the directory went with its task; O_CREAT cannot bring it back.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !dirComes) return settle('gone');
      if (++tries >= MAX_TRIES) return settle('gave up');
      wait = Math.min(MAX_MS, wait * 2);
      // Retrying must not keep a server alive that has nothing else to do.
      setTimeout(attempt, wait).unref();
      return;
    }
    onSaved?.(lost);
    settle('saved');
  };
  attempt();
  return outcome;
}
