/**
 * Lines out of a byte stream, none kept over a limit: a line is gathered as
 * pieces and joined once at its newline (a big line in small chunks is not
 * copied over and over); past the limit, what was kept is scanned for the
 * message's id (jsonrpc-scan.ts) and let go, and the rest of the line only
 * streams through the scan. Memory per connection: at most the limit.
 */
import { TopLevelScan } from './jsonrpc-scan.js';

export type Framed = { line: Buffer } | { tooLarge: TopLevelScan; bytes: number };

export class LineFramer {
  private chunks: Buffer[] = [];
  private size = 0;
  private oversize: { scan: TopLevelScan; bytes: number } | null = null;

  constructor(
    private readonly maxLine: number,
    private readonly emit: (framed: Framed) => void,
  ) {}

  push(chunk: Buffer): void {
    for (let start = 0; start < chunk.length; ) {
      const nl = chunk.indexOf(10, start);
      this.take(chunk.subarray(start, nl < 0 ? chunk.length : nl));
      if (nl < 0) break;
      this.endLine();
      start = nl + 1;
    }
  }

  /** The input ended: a last line without its newline is still one. */
  end(): void {
    if (this.size > 0 || this.oversize) this.endLine();
  }

  clear(): void {
    this.chunks = [];
    this.size = 0;
    this.oversize = null;
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.oversize) {
      this.oversize.scan.feed(part);
      this.oversize.bytes += part.length;
      return;
    }
    if (this.size + part.length <= this.maxLine) {
      this.chunks.push(part);
      this.size += part.length;
      return;
    }
    const scan = new TopLevelScan();
    for (const c of this.chunks) scan.feed(c);
    scan.feed(part);
    this.oversize = { scan, bytes: this.size + part.length };
    this.chunks = [];
    this.size = 0;
  }

  private endLine(): void {
    if (this.oversize) {
      const { scan, bytes } = this.oversize;
      this.oversize = null;
      return this.emit({ tooLarge: scan, bytes });
    }
    if (this.size === 0) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    // A CRLF client's lines end in \r.
    this.emit({ line: buf[buf.length - 1] === 13 ? buf.subarray(0, buf.length - 1) : buf });
  }
}
