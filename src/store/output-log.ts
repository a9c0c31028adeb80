/**
 * A task's output: raw bytes appended to a log file, the most recent bytes
 * also kept in memory for fast polls. Never holds the whole output in memory.
 * Offsets are byte positions in the log, so readers can resume from a cursor
 * (also after a restart, from the file alone).
 *
 * Appended chunks are copied (into the tail and a write buffer) and never
 * kept: a reader may reuse its read buffer. The write buffers come from a
 * small shared pool and go back to it once written, so printing 1 GB
 * allocates next to nothing; fresh buffers per chunk would pile up as
 * external memory the garbage collector frees only every ~64 MB.
 */
import fs from 'node:fs';
import { formatBytes } from '../shared/units.js';
import { salvageLog } from './log-salvage.js';
import { TailRing } from './tail-ring.js';

/**
 * Back-pressure: the source is paused once this much waits to be written, so
 * memory stays flat however much a task prints. (Safe for ptys: the runner
 * keeps the terminal's slave side open, so nothing is lost while paused.)
 */
const PAUSE_AT = 4 * 1024 * 1024;
/** Chunks go to the file in writes of at most this. */
const BATCH_MAX = 256 * 1024;
/**
 * A write goes out once this much waits, or BATCH_DELAY_MS after the first
 * byte of it: a pty hands over ~4 KB per read, one read per turn of the event
 * loop, and a write per turn cost the server a fifth of its time while a
 * task printed (each a trip to the thread pool). A reader never waits for
 * the delay: read() writes what waits first.
 */
const BATCH_EARLY = 64 * 1024;
const BATCH_DELAY_MS = 5;
/** Write buffers not in use, shared by every log; at most MAX_SPARE are kept. */
const spare: Buffer[] = [];
const MAX_SPARE = 4;
const takeBuffer = (): Buffer => spare.pop() ?? Buffer.allocUnsafe(BATCH_MAX);
const giveBack = (buf: Buffer): void => void (spare.length < MAX_SPARE && spare.push(buf));

/** A pooled buffer being filled: `sent` bytes of it were handed to writes, `pending` of which are not done. */
interface WriteBuffer {
  buf: Buffer;
  fill: number;
  sent: number;
  pending: number;
  retired: boolean;
}

export interface OutputLogOptions {
  maxBytes: number;
  tailBytes: number;
  onError?: (err: Error) => void;
  /** After a failed write, the log was written out at its end once there was room: `lost` bytes are not in it. */
  onSaved?: (lost: number) => void;
  /** The process writes the file itself; this log only keeps the tail and counts (and never caps: the writer does). */
  external?: boolean;
}

export class OutputLog {
  /** Bytes in the log (what readers can reach). */
  total = 0;
  /** Bytes refused because of the cap. */
  dropped = 0;
  private flushed = 0;
  private readonly stream: fs.WriteStream | null;
  private readonly tail: TailRing;
  private flushWaiters: Array<{ upTo: number; resolve: () => void }> = [];
  private writeFailed = false;
  /** Bytes known to be in the file when writing failed; the rest lives only in the tail. */
  private goodBytes = 0;
  private closed: Promise<void> | null = null;

  constructor(
    readonly file: string,
    private readonly opts: OutputLogOptions,
  ) {
    this.tail = new TailRing(opts.tailBytes);
    if (opts.external) {
      this.stream = null;
      return;
    }
    // Opened here, not by the stream (which opens later, off the main thread):
    // the file exists from the task's first moment, also after a kill -9.
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'a', 0o600);
    } catch {
      // The stream reopens and reports the error through 'error' below.
    }
    this.stream = fd === undefined
      ? fs.createWriteStream(file, { flags: 'a', mode: 0o600, highWaterMark: 1024 * 1024 })
      : fs.createWriteStream(file, { fd, highWaterMark: 1024 * 1024 });
    this.stream.on('error', (err) => {
      // Disk full or unwritable: keep the tail in memory, say so once, keep running.
      if (!this.writeFailed) {
        this.goodBytes = this.flushed;
        opts.onError?.(err);
      }
      this.writeFailed = true;
      this.flushed = this.total;
      this.wakeFlushWaiters();
    });
  }

  /** Appends (a copy of) a chunk. Returns false when the writer is backed up: pause the source until drain. */
  append(chunk: Buffer): boolean {
    if (!this.stream) {
      // Already in the file.
      this.tail.push(chunk);
      this.total += chunk.length;
      this.flushed = this.total;
      return true;
    }
    if (this.total >= this.opts.maxBytes) {
      this.dropped += chunk.length;
      return true;
    }
    let data = chunk;
    if (this.total + chunk.length > this.opts.maxBytes) {
      const keep = this.opts.maxBytes - this.total;
      this.dropped += chunk.length - keep;
      data = Buffer.concat([chunk.subarray(0, keep), capMarker(this.opts.maxBytes)]);
    }
    this.tail.push(data);
    if (this.writeFailed) {
      this.total += data.length;
      // Nothing more reaches the file: readers must not wait for it.
      this.flushed = this.total;
      return true;
    }
    // A pty delivers ~4 KB at a time: one write per turn instead of one per chunk.
    for (let at = 0; at < data.length; ) {
      const wb = (this.batch ??= { buf: takeBuffer(), fill: 0, sent: 0, pending: 0, retired: false });
      const n = data.copy(wb.buf, wb.fill, at);
      at += n;
      wb.fill += n;
      this.total += n;
      if (wb.fill === wb.buf.length) this.writeBatch();
    }
    const waiting = this.batch ? this.batch.fill - this.batch.sent : 0;
    if (waiting >= BATCH_EARLY) this.writeBatch();
    else if (waiting > 0) this.batchTimer ??= setTimeout(() => this.writeBatch(), BATCH_DELAY_MS);
    return this.stream.writableLength + (this.batch ? this.batch.fill - this.batch.sent : 0) < PAUSE_AT;
  }

  /** The buffer being filled; each write takes what was added to it since the last one. */
  private batch: WriteBuffer | null = null;
  private batchTimer: NodeJS.Timeout | null = null;

  private writeBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const wb = this.batch;
    if (!wb || wb.fill === wb.sent || this.writeFailed || !this.stream) return;
    const part = wb.buf.subarray(wb.sent, wb.fill);
    wb.sent = wb.fill;
    wb.pending++;
    if (wb.fill === wb.buf.length) this.retire();
    const end = this.total;
    this.stream.write(part, () => {
      wb.pending--;
      // The buffer goes back to the pool once it is full and the file has all its bytes.
      if (wb.retired && wb.pending === 0) giveBack(wb.buf);
      this.flushed = Math.max(this.flushed, end);
      this.wakeFlushWaiters();
    });
  }

  /** No more bytes go into the current buffer. */
  private retire(): void {
    const wb = this.batch;
    if (!wb) return;
    this.batch = null;
    wb.retired = true;
    if (wb.pending === 0 && wb.sent === wb.fill) giveBack(wb.buf);
  }

  onDrain(cb: () => void): void {
    this.writeBatch();
    // 'drain' only comes after a write that returned false.
    if (this.stream?.writableNeedDrain) this.stream.once('drain', cb);
    else setImmediate(cb);
  }

  /** Writing the file failed: only the in-memory tail has the latest output. */
  get failed(): boolean {
    return this.writeFailed;
  }

  get capped(): boolean {
    return this.total >= this.opts.maxBytes;
  }

  /** Offset of the oldest byte the tail holds. */
  private get tailStart(): number {
    return this.total - this.tail.length;
  }

  private wakeFlushWaiters(): void {
    this.flushWaiters = this.flushWaiters.filter((w) => {
      if (this.flushed >= w.upTo) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  /** Writes what waits and resolves once every byte appended so far is in the file (or writing failed). */
  flush(): Promise<void> {
    this.writeBatch();
    return this.waitFlushed(this.total);
  }

  private waitFlushed(upTo: number): Promise<void> {
    if (this.flushed >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ upTo, resolve }));
  }

  /** Bytes [start, end) of the log; end is clamped to what exists. */
  async read(start: number, end: number): Promise<Buffer> {
    end = Math.min(end, this.total);
    start = Math.max(0, Math.min(start, end));
    // What a reader is shown must already be in the file: an agent that saw
    // output and then lost the server (kill -9) finds the same bytes after a
    // restart. The wait is one batched write at most.
    this.writeBatch();
    await this.waitFlushed(end);
    // The tail's part is taken now: it may move on while the file is read.
    const fileEnd = Math.min(end, this.tailStart);
    const tailPart = end > fileEnd ? this.fromTail(Math.max(start, fileEnd), end) : Buffer.alloc(0);
    if (start >= fileEnd) return tailPart;
    let head = await readLogFile(this.file, start, this.writeFailed ? Math.min(fileEnd, this.goodBytes) : fileEnd);
    if (this.writeFailed && fileEnd > this.goodBytes) {
      const lost = fileEnd - Math.max(start, this.goodBytes);
      head = Buffer.concat([head, Buffer.from(`\n[bgbash: ${formatBytes(lost)} of output lost: the log could not be written]\n`)]);
    }
    return tailPart.length ? Buffer.concat([head, tailPart]) : head;
  }

  private fromTail(start: number, end: number): Buffer {
    return this.tail.slice(start - this.tailStart, end - this.tailStart);
  }

  /** Ends the file. Resolves after the stream closed, so a last write error is already known (`failed`). */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = new Promise((resolve) => {
        // Not `destroyed`: a failed stream is destroyed before its 'error' event runs.
        this.writeBatch();
        this.retire();
        const stream = this.stream;
        // Once everything is in the file, reads go there: the tail is only needed while writing fails.
        const done = (): void => {
          if (!this.writeFailed) this.tail.clear();
          else void salvageLog(this.file, this.goodBytes, this.tailStart, this.tail.slice(0, this.total - this.tailStart), this.opts.onSaved);
          resolve();
        };
        if (!stream || stream.closed) return done();
        stream.once('close', done);
        stream.end();
      });
    }
    return this.closed;
  }
}

/** What ends a log that reached the cap. */
export function capMarker(maxBytes: number): Buffer {
  return Buffer.from(`\n[bgbash: output reached the ${formatBytes(maxBytes)} cap; the rest is dropped]\n`);
}

/** Bytes [start, end) of a log file on disk; a missing file reads as empty. */
export async function readLogFile(file: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(end - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function logFileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
