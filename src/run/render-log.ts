/**
 * A whole log as a terminal shows it, for `bgbash result` and `bgbash output
 * [-f]`: rendered in bounded pages, each with the bytes before it as context.
 */
import { formatBytes } from '../shared/units.js';
import { utf8Boundary } from './clean.js';
import { CONTEXT_BYTES, contextStart } from './render-context.js';
import { renderSince, type TermSize } from './render.js';

/** A whole log is rendered in pages of at most this size, so memory stays bounded however big it is. */
const LOG_PAGE = 256 * 1024;

/**
 * A log rendered as it is read or as it grows (`bgbash result`, `bgbash output [-f]`): bytes are pushed in order;
 * each complete line batch is replayed with the context before it and its text returned. A line a later batch
 * redraws (a cursor-up across the cut) comes again as it ended.
 */
export class LogRenderer {
  private context: Buffer = Buffer.alloc(0);
  private pending: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(private readonly size: TermSize) {}

  /** The text of the lines `bytes` completes (all of them when `final`). */
  async push(bytes: Buffer, final = false): Promise<string> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    let out = '';
    while (this.pending.length) {
      let cut = this.pending.lastIndexOf(10, LOG_PAGE - 1) + 1;
      // No line end: a page of one long line when it is big, the rest when final; else wait for its end.
      if (cut === 0 && this.pending.length >= LOG_PAGE) cut = utf8Boundary(this.pending, LOG_PAGE) || LOG_PAGE;
      if (cut === 0 && final) cut = this.pending.length;
      if (cut === 0) break;
      out += await this.render(this.pending.subarray(0, cut));
      this.pending = this.pending.subarray(cut);
    }
    return out;
  }

  private async render(buf: Buffer): Promise<string> {
    const before = this.context.subarray(contextStart(this.context, this.size.rows, this.at === this.context.length));
    const r = await renderSince(before, buf, this.size, true);
    const joined = Buffer.concat([this.context, buf]);
    // A copy of the last bytes, so the page itself can go.
    this.context = Buffer.from(joined.subarray(Math.max(0, joined.length - CONTEXT_BYTES)));
    this.at += buf.length;
    if (r.allBinary) return `[binary: ${formatBytes(buf.length)} not shown as text]\n`;
    return r.lines.join('\n');
  }
}

/** Renders bytes [0, total) of a log page by page, handing each page's text to `out` in order. */
export async function renderLog(read: (start: number, end: number) => Promise<Buffer>, total: number, size: TermSize, out: (text: string) => void): Promise<void> {
  const log = new LogRenderer(size);
  for (let at = 0; at < total; ) {
    const buf = await read(at, Math.min(total, at + LOG_PAGE));
    if (buf.length === 0) break;
    at += buf.length;
    const text = await log.push(buf, at >= total);
    if (text) out(text);
  }
  const rest = await log.push(Buffer.alloc(0), true);
  if (rest) out(rest);
}
