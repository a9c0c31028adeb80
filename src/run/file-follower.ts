/**
 * Following a log file a child process writes directly (pipe mode): the
 * bytes go from the child to the file with no copy through this process, and
 * are read back as the file grows, for live output.
 *
 * The output cap is exact. Well before the cap (at half of it) the follower
 * takes the log over: a copy of what is there so far replaces the log's
 * directory entry, and from then on only this process writes the log, copying
 * from the child's file (now unnamed) up to the cap, then the cap marker.
 * Nothing is ever appended to a file the child still writes, so no line is
 * spliced and the marker cannot be overwritten. The child's file is opened
 * without O_APPEND and shared with this process, so its offset is the exact
 * count of bytes the child wrote; past the cap it is cut back to nothing on
 * every poll (the child's next writes leave a hole, not data on disk).
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
/** Caps this small are copied from the first byte: the copy is cheap. */
const TAKE_OVER_FROM_START = 16 * 1024 * 1024;

export interface FollowedFile {
  /** The log's path. */
  file: string;
  /** A writable descriptor sharing the child's open file (not O_APPEND): its offset counts what the child wrote. */
  childFd: number;
}

export class FileFollower {
  /** Reads the child's file (also after the log was taken over and it lost its name). */
  private readonly src: number;
  /** Bytes passed on to onChunk: what the log holds, the marker included. */
  private offset = 0;
  /** Once taken over: this process's descriptor on the log, and the bytes in it. */
  private dest: number | null = null;
  private inLog = 0;
  /** Once capped: bytes of the child's output kept, and dropped so far. */
  private kept: number | null = null;
  private dropped = 0;
  private readonly takeOverAt: number;
  private reading: Promise<void> | null = null;
  private again = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly target: FollowedFile,
    private readonly maxBytes: number,
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly onDropped: (bytes: number) => void,
  ) {
    this.src = fs.openSync(target.file, 'r');
    this.takeOverAt = maxBytes <= TAKE_OVER_FROM_START ? 0 : Math.max(Math.floor(maxBytes / 2), maxBytes - 256 * 1024 * 1024);
    // Before the child starts: a small cap is never exceeded, not even for one poll.
    if (this.takeOverAt === 0) {
      try {
        this.takeOverNow(0);
      } catch {
        /* the first poll tries again */
      }
    }
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
      if (this.kept !== null) return this.countDropped();
      const size = fs.fstatSync(this.src).size;
      if (this.dest === null && size >= this.takeOverAt) await this.takeOver(size);
      if (this.offset >= this.maxBytes) {
        this.capAt();
        continue;
      }
      if (size <= this.offset) return;
      const n = Math.min(size - this.offset, READ_MAX, this.maxBytes - this.offset);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await readAt(this.src, buf, 0, n, this.offset);
      if (bytesRead === 0 || this.closed) return;
      const chunk = bytesRead === n ? buf : buf.subarray(0, bytesRead);
      const end = this.offset + bytesRead;
      if (this.dest !== null && end > this.inLog) {
        fs.writeSync(this.dest, chunk, this.inLog - this.offset, end - this.inLog, this.inLog);
        this.inLog = end;
      }
      this.offset = end;
      this.onChunk(chunk);
    }
  }

  /**
   * Replaces the log's directory entry with a copy of its first bytes (at most
   * the cap) that only this process writes. Readers by path see the same
   * bytes before and after: the rename is atomic.
   */
  private async takeOver(size: number): Promise<void> {
    const tmp = this.tmpName();
    if (size > 0) await fs.promises.copyFile(this.target.file, tmp, fs.constants.COPYFILE_FICLONE).catch((err) => {
      fs.rmSync(tmp, { force: true });
      throw err;
    });
    this.takeOverNow(size);
  }

  private tmpName(): string {
    return `${this.target.file}.${process.pid}.take`;
  }

  /** The second half of a take-over: the copy (made with `size` > 0) becomes the log. */
  private takeOverNow(size: number): void {
    const tmp = this.tmpName();
    try {
      const fd = fs.openSync(tmp, size > 0 ? 'r+' : 'w', 0o600);
      const copied = fs.fstatSync(fd).size;
      // Never less than what readers were already given, never past the cap.
      this.inLog = Math.max(this.offset, Math.min(copied, this.maxBytes));
      fs.ftruncateSync(fd, this.inLog);
      fs.renameSync(tmp, this.target.file);
      this.dest = fd;
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** The log holds the cap's worth: the marker ends it; from now on output is only counted. */
  private capAt(): void {
    const marker = capMarker(this.maxBytes);
    fs.writeSync(this.dest!, marker, 0, marker.length, this.inLog);
    this.inLog += marker.length;
    this.offset += marker.length;
    this.kept = this.maxBytes;
    this.onChunk(marker);
  }

  private countDropped(): void {
    const written = childOffset(this.target.childFd) ?? fs.fstatSync(this.src).size;
    const total = Math.max(0, written - this.kept!);
    if (total > this.dropped) {
      this.onDropped(total - this.dropped);
      this.dropped = total;
    }
    // Frees the disk; the child's offset (the count) is not moved by it.
    fs.ftruncateSync(this.target.childFd, 0);
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
    for (const fd of [this.src, this.dest, this.target.childFd]) {
      if (fd === null) continue;
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
