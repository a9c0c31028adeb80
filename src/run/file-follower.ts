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
import { capMarker } from '../store/output-log.js';

const READ_MAX = 1024 * 1024;
/**
 * One read buffer for every follower: a copy step (read, write to the log,
 * hand the chunk to consumers, who copy what they keep) is synchronous, so
 * no two steps share it at once, and no buffer is allocated per read.
 * Synchronous reads of a file the page cache holds cost less than a trip
 * through the thread pool.
 */
let readBuffer: Buffer | null = null;
/** Bytes copied per turn of the event loop at most, so a backlog does not stall the server. */
const TURN_MAX = 8 * 1024 * 1024;
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
    this.timer = setInterval(() => this.poke(), POLL_MS);
    this.timer.unref();
  }

  private next: NodeJS.Immediate | null = null;
  /** Where the offset of the child's open file can be read (see childOffset). */
  private offsetFile: string | null = null;

  /** The child runs: its writes' offset is in this /proc fdinfo file. */
  offsetFrom(file: string | null): void {
    this.offsetFile = file;
  }

  /** The file may have grown: copy what is new (the rest of a big backlog in the next turns). */
  poke(): void {
    if (this.closed || this.next) return;
    if (this.step()) this.next = setImmediate(() => {
      this.next = null;
      this.poke();
    });
  }

  /** Copies up to TURN_MAX bytes; true when it stopped there with more to copy. */
  private step(): boolean {
    try {
      let budget = TURN_MAX;
      while (!this.closed) {
        if (this.capped) {
          this.countDropped();
          return false;
        }
        if (this.offset >= this.maxBytes) {
          this.capAt();
          continue;
        }
        const size = fs.fstatSync(this.spool.readFd).size;
        if (size <= this.offset) return false;
        if (budget <= 0) return true;
        const buf = (readBuffer ??= Buffer.allocUnsafe(READ_MAX));
        const n = Math.min(size - this.offset, buf.length, this.maxBytes - this.offset);
        const bytesRead = fs.readSync(this.spool.readFd, buf, 0, n, this.offset);
        if (bytesRead === 0) return false;
        const chunk = buf.subarray(0, bytesRead);
        fs.writeSync(this.log, chunk);
        this.offset += bytesRead;
        budget -= bytesRead;
        this.onChunk(chunk);
      }
    } catch {
      /* closed meanwhile */
    }
    return false;
  }

  /** The log holds the cap's worth: the marker ends it; from now on output is only counted. */
  private capAt(): void {
    const marker = capMarker(this.maxBytes);
    fs.writeSync(this.log, marker);
    this.capped = true;
    this.onChunk(marker);
  }

  private countDropped(): void {
    const written = childOffset(this.offsetFile) ?? fs.fstatSync(this.spool.readFd).size;
    const total = Math.max(0, written - this.maxBytes);
    if (total > this.dropped) {
      this.onDropped(total - this.dropped);
      this.dropped = total;
    }
    // Frees the disk; the child's offset (the count) is not moved by it.
    fs.ftruncateSync(this.spool.childFd, 0);
  }

  /** Reads to the end (the writers are done), a turn at a time, then stops following. */
  async finish(): Promise<void> {
    while (!this.closed && this.step()) await new Promise((resolve) => setImmediate(resolve));
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.next) clearImmediate(this.next);
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
 * The file offset the child's writes have reached (Linux: the /proc fdinfo
 * of the open file the child writes through: ours, or the spawner's). Null
 * where /proc is missing: the file's size says it then, short only by a
 * write racing a cut.
 */
function childOffset(file: string | null): number | null {
  if (!file) return null;
  try {
    const m = /^pos:\s+(\d+)/m.exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
