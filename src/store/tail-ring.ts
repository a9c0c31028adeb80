/**
 * The last bytes of a stream, copied into one buffer that grows (doubling) up
 * to its size and is then reused as a ring. Callers may hand in buffers they
 * reuse right after (a reader's own read buffer): nothing here keeps a
 * reference to them, so a task printing 1 GB allocates no memory per chunk.
 */
export class TailRing {
  private buf: Buffer | null = null;
  /** Where the next byte goes. */
  private at = 0;
  /** Bytes held, at most `size`. */
  length = 0;

  constructor(private readonly size: number) {}

  push(data: Buffer): void {
    if (this.size <= 0 || data.length === 0) return;
    const src = data.length > this.size ? data.subarray(data.length - this.size) : data;
    this.reserve(this.length + src.length);
    const cap = this.buf!.length;
    const first = Math.min(src.length, cap - this.at);
    src.copy(this.buf!, this.at, 0, first);
    if (first < src.length) src.copy(this.buf!, 0, first);
    this.at = (this.at + src.length) % cap;
    this.length = Math.min(cap, this.length + src.length);
  }

  /** Bytes [from, to) counted from the oldest byte held, as a new buffer. */
  slice(from: number, to: number): Buffer {
    const n = Math.max(0, to - from);
    const out = Buffer.allocUnsafe(n);
    if (n === 0 || !this.buf) return out.subarray(0, 0);
    const cap = this.buf.length;
    const start = (this.at - this.length + from + 2 * cap) % cap;
    const first = Math.min(n, cap - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** Drops what is held and the buffer. */
  clear(): void {
    this.buf = null;
    this.at = 0;
    this.length = 0;
  }

  /** Room for `need` bytes (up to size): a small tail never costs the full size. */
  private reserve(need: number): void {
    const cap = this.buf?.length ?? 0;
    if (cap >= Math.min(need, this.size)) return;
    const next = Math.min(this.size, Math.max(need, cap * 2, 4096));
    const grown = Buffer.allocUnsafe(next);
    const held = this.slice(0, this.length);
    held.copy(grown, 0);
    this.buf = grown;
    this.at = held.length % next;
  }
}
