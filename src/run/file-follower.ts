/**
 * Pipe-mode output without a pipe: the child writes into a file of its own
 * (no copy through this process while it runs, so it writes at full speed),
 * and this process follows that file, for live output and to build the log.
 *
 * The child's file has no name (it is unlinked as soon as it is opened), so
 * the log is written by this process alone: up to the cap, then the cap
 * marker, exactly, with nothing the child writes able to land after the
 * marker or inside a line. The child's file is opened without O_APPEND and
 * its open file is shared with this process, so its offset is the exact count
 * of bytes the child wrote; past the cap it is cut back to nothing on every
 * poll (the child's next writes leave a hole, not data on disk).
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { capMarker } from '../store/output-log.js';

const readAt = promisify(fs.read);

const READ_MAX = 1024 * 1024;
/**
 * How often the file is checked for growth. A poll, not inotify: inotify
 * wakes this process for every write a chatty child makes (~50,000 for
 * 200 MB of base64), which costs more than the copy it replaces.
 */
const POLL_MS = 50;

/** The child's side: give `childFd` to the child as its stdout or stderr. */
export interface Spool {
  childFd: number;
  /** Reads the same (unnamed) file. */
  readFd: number;
}

/** Makes the unnamed file a child writes into; `log` (the path readers use) starts empty. */
export function openSpool(log: string): Spool {
  const name = `${log}.${process.pid}.spool`;
  // Not O_APPEND: the shared offset then counts every byte the child wrote.
  const childFd = fs.openSync(name, 'w', 0o600);
  try {
    const readFd = fs.openSync(name, 'r');
    fs.writeFileSync(log, '', { mode: 0o600 });
    return { childFd, readFd };
  } catch (err) {
    fs.closeSync(childFd);
    throw err;
  } finally {
    fs.rmSync(name, { force: true });
  }
}

export class FileFollower {
  private readonly log: number;
  /** Bytes of the child's output copied to the log (and passed to onChunk). */
  private offset = 0;
  private capped = false;
  private dropped = 0;
  private reading: Promise<void> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    file: string,
    private readonly spool: Spool,
    private readonly maxBytes: number,
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly onDropped: (bytes: number) => void,
  ) {
    this.log = fs.openSync(file, 'a');
    this.timer = setInterval(() => void this.poke(), POLL_MS);
    this.timer.unref();
  }

  /** The file may have grown: read what is new. */
  poke(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          void this.poke();
        }
      });
    return this.reading;
  }

  private async drain(): Promise<void> {
    while (!this.closed) {
      if (this.capped) return this.countDropped();
      if (this.offset >= this.maxBytes) {
        this.capAt();
        continue;
      }
      const size = fs.fstatSync(this.spool.readFd).size;
      if (size <= this.offset) return;
      const n = Math.min(size - this.offset, READ_MAX, this.maxBytes - this.offset);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await readAt(this.spool.readFd, buf, 0, n, this.offset);
      if (bytesRead === 0 || this.closed) return;
      const chunk = bytesRead === n ? buf : buf.subarray(0, bytesRead);
      fs.writeSync(this.log, chunk);
      this.offset += bytesRead;
      this.onChunk(chunk);
    }
  }

  /** The log holds the cap's worth: the marker ends it; from now on output is only counted. */
  private capAt(): void {
    const marker = capMarker(this.maxBytes);
    fs.writeSync(this.log, marker);
    this.capped = true;
    this.onChunk(marker);
  }

  private countDropped(): void {
    const written = childOffset(this.spool.childFd) ?? fs.fstatSync(this.spool.readFd).size;
    const total = Math.max(0, written - this.maxBytes);
    if (total > this.dropped) {
      this.onDropped(total - this.dropped);
      this.dropped = total;
    }
    // Frees the disk; the child's offset (the count) is not moved by it.
    fs.ftruncateSync(this.spool.childFd, 0);
  }

  /** Reads to the end (the writers are done), then stops following. */
  async finish(): Promise<void> {
    await this.poke();
    await this.poke();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const fd of [this.log, this.spool.readFd, this.spool.childFd]) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closed */
      }
    }
  }
}

/**
 * The file offset the child's writes have reached (Linux: /proc/self/fdinfo,
 * which shows the offset of the open file this process shares with the
 * child). Null where /proc is missing: the file's size says it then, short
 * only by a write racing a cut.
 */
function childOffset(fd: number): number | null {
  try {
    const m = /^pos:\s+(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
