/**
 * Writing out a task's output log whose writes failed (the data dir was
 * full) once the task has ended: the part the file has, a line saying how
 * much was lost, then the tail the server kept in memory. Tried until there
 * is room, backing off; the server's own reads keep using the file's good
 * part and the memory tail, so this changes nothing for them.
 */
import fs from 'node:fs';
import { formatBytes } from '../shared/units.js';

const FIRST_MS = 500;
const MAX_MS = 5000;

/** `tail` holds the output from byte `tailStart` to its end; the file is good up to `goodBytes` at most. */
export function salvageLog(file: string, goodBytes: number, tailStart: number, tail: Buffer, onSaved?: (lost: number) => void): void {
  let wait = FIRST_MS;
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
    } catch {
      wait = Math.min(MAX_MS, wait * 2);
      // Retrying must not keep a server alive that has nothing else to do.
      setTimeout(attempt, wait).unref();
      return;
    }
    onSaved?.(lost);
  };
  attempt();
}
