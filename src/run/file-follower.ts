/**
 * Following a log file a child process writes directly (pipe mode): the
 * bytes go from the child to the file with no copy through this process, and
 * are read back as the file grows, for live output. The output cap is kept by truncating what grows past it.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { formatBytes } from '../core/units.js';

const readAt = promisify(fs.read);

const READ_MAX = 1024 * 1024;
/**
 * How often the file is checked for growth. A poll, not inotify: inotify
 * wakes this process for every write a chatty child makes (~50,000 for
 * 200 MB of base64), which costs more than the copy it replaces.
 */
const POLL_MS = 50;

export class FileFollower {
  private readonly fd: number;
  private offset = 0;
  /** Once capped: the file is cut back to this length whenever it grows. */
  private capAt: number | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly maxBytes: number,
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly onDropped: (bytes: number) => void,
  ) {
    this.fd = fs.openSync(file, 'r');
    this.timer = setInterval(() => this.poke(), POLL_MS);
    this.timer.unref();
  }

  /** The file may have grown: read what is new. */
  poke(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.drain().finally(() => {
      this.reading = null;
      if (this.again) {
        this.again = false;
        void this.poke();
      }
    });
    return this.reading;
  }

  private async drain(): Promise<void> {
    for (;;) {
      let size: number;
      try {
        size = fs.fstatSync(this.fd).size;
      } catch {
        return;
      }
      if (this.capAt !== null) {
        if (size > this.capAt) {
          this.onDropped(size - this.capAt);
          fs.truncateSync(this.file, this.capAt);
        }
        return;
      }
      if (size <= this.offset) return;
      const room = this.maxBytes - this.offset;
      const n = Math.min(size - this.offset, READ_MAX, Math.max(0, room));
      if (n > 0) {
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await readAt(this.fd, buf, 0, n, this.offset).catch(() => ({ bytesRead: 0 }));
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.onChunk(bytesRead === n ? buf : buf.subarray(0, bytesRead));
        continue;
      }
      // At the cap: cut what is past it, mark the cut once, and keep cutting from now on.
      this.onDropped(size - this.offset);
      fs.truncateSync(this.file, this.offset);
      const marker = Buffer.from(`\n[bgbash: output reached the ${formatBytes(this.maxBytes)} cap; the rest is dropped]\n`);
      fs.appendFileSync(this.file, marker);
      this.offset += marker.length;
      this.capAt = this.offset;
      this.onChunk(marker);
    }
  }

  /** Reads to the end (the writer is done), then stops following. */
  async finish(): Promise<void> {
    await this.poke();
    await this.poke();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      fs.closeSync(this.fd);
    } catch {
      /* closed */
    }
  }
}
