/**
 * Windows onto a task's output for a model to read: forward from a cursor,
 * the tail, matching lines, or head + tail of a foreground run — always capped,
 * always saying what was left out and how to read it.
 */
import type { Pattern } from './pattern.js';
import { utf8Boundary } from '../run/clean.js';
import { readable, type Readable } from '../run/readable.js';
import { CONTEXT_BYTES, contextStart } from '../run/render-context.js';
import { renderSince, type TermSize } from '../run/render.js';
import type { Stream } from '../run/process.js';
import { formatBytes } from '../shared/units.js';
import type { TaskManager } from './manager.js';

export interface ReadRequest {
  since?: number;
  tail?: number;
  grep?: Pattern;
  raw?: boolean;
  maxBytes: number;
  stream?: Stream;
}

export interface OutputWindow {
  output: string;
  /** Byte offset to pass as `since` next time. */
  cursor: number;
  total_bytes: number;
  truncated: boolean;
  binary: boolean;
  /** grep only: how many lines matched before the cap stopped the scan. */
  matches?: number;
}

/** How far back a tail read looks for its lines. */
const TAIL_SCAN_FACTOR = 4;
/** Grep reads the log in blocks of this size. */
const GREP_BLOCK = 1024 * 1024;
/** A long grep hands the event loop back this often, so other calls keep being answered while it scans. */
const GREP_SLICE_MS = 20;

/** Output as text: lines with a stray byte stay (the byte spelled out), runs of binary lines become one note. */
function render(buf: Buffer, raw: boolean | undefined, hideBinary = !raw): Readable {
  return readable(buf.subarray(0, utf8Boundary(buf, buf.length)), { raw, hideBinary });
}

/** The size of the terminal the task's output is replayed in: the configured one (a pty task's own). */
function termSize(m: TaskManager, id: string, stream: Stream): TermSize {
  const { cols, rows } = m.config.terminal;
  return { cols, rows, pty: stream === 'stdout' && m.get(id).pty };
}

/**
 * Output from `start` as the terminal shows it: what the bytes up to `start` left on the screen is replayed first
 * (at most CONTEXT_BYTES of it, from a line start), so a redraw, a spinner or a rewritten line that began before
 * `start` renders as it does on screen, and only lines new or changed since `start` come back.
 */
async function shown(m: TaskManager, id: string, start: number, bytes: Buffer, stream: Stream, continueLine = false): Promise<Readable & { lines: string[] }> {
  if (bytes.length === 0) return { lines: [], text: '', hidden: 0, allBinary: false };
  const size = termSize(m, id, stream);
  const from = Math.max(0, start - CONTEXT_BYTES);
  const ctx = start > 0 ? await m.readOutput(id, from, start, stream) : Buffer.alloc(0);
  const before = ctx.subarray(contextStart(ctx, size.rows, from === 0));
  const r = await renderSince(before, bytes.subarray(0, utf8Boundary(bytes, bytes.length)), size, continueLine);
  return { lines: r.lines, text: r.lines.join('\n'), hidden: r.hidden, allBinary: r.allBinary };
}

/**
 * Rendered text within `max` bytes: a line a redraw rewrote comes whole, and a line can be longer than the bytes read
 * (its start was context). Keeps the start or the end, cut at a line end when there is one, never inside a character.
 */
function capText(text: string, max: number, keep: 'start' | 'end'): string {
  const b = Buffer.from(text);
  if (b.length <= max) return text;
  if (keep === 'start') {
    const nl = b.subarray(0, max).lastIndexOf(10);
    return b.toString('utf8', 0, nl > 0 ? nl + 1 : utf8Boundary(b, max));
  }
  let cut = b.length - max;
  const nl = b.subarray(cut).indexOf(10);
  if (nl >= 0 && nl < b.length - cut - 1) cut += nl + 1;
  else while (cut < b.length && (b[cut] & 0xc0) === 0x80) cut++;
  return b.toString('utf8', cut);
}

function binaryNote(total: number): string {
  return `[binary output: ${formatBytes(total)} not shown as text. grep finds the text lines in it; raw: true shows it undecoded; task_status gives the log's path.]`;
}

export async function readWindow(m: TaskManager, id: string, req: ReadRequest): Promise<OutputWindow> {
  const stream = req.stream ?? 'stdout';
  const total = m.outputSize(id, stream);
  if (req.grep) return grepWindow(m, id, req, total, stream);
  if (req.since !== undefined && req.tail === undefined) return forwardWindow(m, id, req, total, stream);
  return tailWindow(m, id, req, total, stream);
}

async function forwardWindow(m: TaskManager, id: string, req: ReadRequest, total: number, stream: Stream): Promise<OutputWindow> {
  const start = Math.min(Math.max(0, req.since ?? 0), total);
  let end = Math.min(total, start + req.maxBytes);
  let buf = await m.readOutput(id, start, end, stream);
  // A cursor in the middle of a character (one the agent made up): start at the next whole one.
  let skip = 0;
  while (start > 0 && skip < 3 && skip < buf.length && (buf[skip] & 0xc0) === 0x80) skip++;
  if (end < total) {
    // Cut at a line end when there is one, so the next read starts a fresh line.
    const nl = buf.lastIndexOf(10);
    const cut = nl > 0 ? nl + 1 : utf8Boundary(buf, buf.length);
    buf = buf.subarray(0, cut);
    end = start + cut;
  }
  const read = (bytes: Buffer) => (req.raw ? render(bytes.subarray(skip), true) : shown(m, id, start + skip, bytes.subarray(skip), stream, true));
  let page = await read(buf);
  // Rendered text can be longer than its bytes (tabs, cursor moves, a redrawn line come whole): read fewer bytes,
  // so no line the cursor moves past goes unshown.
  for (let tries = 0; !page.allBinary && Buffer.byteLength(page.text) > req.maxBytes && tries < 4; tries++) {
    const nl = buf.subarray(0, Math.floor(buf.length / 2)).lastIndexOf(10);
    if (nl < skip) break;
    buf = buf.subarray(0, nl + 1);
    end = start + nl + 1;
    page = await read(buf);
  }
  const fits = Buffer.byteLength(page.text) <= req.maxBytes;
  let output = page.allBinary ? binaryNote(end - start) : fits ? page.text : `${capText(page.text, req.maxBytes - 80, 'start')}\n[… the rest of this line is longer than max_bytes]`;
  const truncated = end < total;
  if (truncated) output += `\n[… ${formatBytes(total - end)} more: call task_output with since=${end} to read on]`;
  return { output, cursor: end, total_bytes: total, truncated, binary: page.hidden > 0 };
}

async function tailWindow(m: TaskManager, id: string, req: ReadRequest, total: number, stream: Stream): Promise<OutputWindow> {
  // tail: 0 asks for no lines (slice(-0) would be all of them): the cursor and state only.
  if (req.tail === 0) return { output: '', cursor: total, total_bytes: total, truncated: false, binary: false };
  const floor = Math.min(Math.max(0, req.since ?? 0), total);
  const scan = req.tail !== undefined ? req.maxBytes * TAIL_SCAN_FACTOR : req.maxBytes;
  const start = Math.max(floor, total - scan);
  const buf = await m.readOutput(id, start, total, stream);
  const page = req.raw ? render(buf, true) : await shown(m, id, start, buf, stream);
  if (page.allBinary) return { output: binaryNote(total), cursor: total, total_bytes: total, truncated: false, binary: true };
  const all = page.text.split('\n');
  // Raw: the first line is cut mid-way (rendered, it was replayed whole from the context before it).
  if (start > floor && req.raw) all.shift();
  if (all.length && all[all.length - 1] === '') all.pop();
  const lines = req.tail !== undefined ? all.slice(-req.tail) : all;
  let truncated = start > floor || lines.length < all.length;
  let text = lines.join('\n');
  const b = Buffer.from(text);
  if (b.length > req.maxBytes) {
    const cut = b.length - req.maxBytes;
    const nl = b.subarray(cut).indexOf(10);
    text = b.toString('utf8', nl >= 0 ? cut + nl + 1 : utf8Boundary(b, cut));
    truncated = true;
  }
  if (truncated) {
    text = `[… earlier output not shown (${formatBytes(total - floor)} in all): task_output with since=${floor} reads from ${floor === 0 ? 'the start' : 'there'}; grep searches]\n${text}`;
  }
  return { output: text, cursor: total, total_bytes: total, truncated, binary: page.hidden > 0 };
}

async function grepWindow(m: TaskManager, id: string, req: ReadRequest, total: number, stream: Stream): Promise<OutputWindow> {
  const since = Math.min(Math.max(0, req.since ?? 0), total);
  const hits: string[] = [];
  let size = 0;
  let truncated = false;
  let lineNo = 0;
  let matches = 0;
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let sliceStart = Date.now();
  for (let pos = 0; pos < total && !truncated; pos += GREP_BLOCK) {
    const block = Buffer.concat([carry, await m.readOutput(id, pos, Math.min(total, pos + GREP_BLOCK), stream)]);
    // A line longer than a block is matched in block-sized pieces, so memory stays bounded.
    const nl = block.lastIndexOf(10) + 1;
    const last = pos + GREP_BLOCK >= total || nl === 0 ? block.length : nl;
    const body = block.subarray(0, last);
    const bodyStart = carryStart;
    carry = block.subarray(last);
    carryStart = bodyStart + last;
    let offset = bodyStart;
    // Every line is searched as text, binary or not (its odd bytes spelled out): grep never answers "binary".
    for (const rawLine of render(body, req.raw, false).text.split('\n')) {
      lineNo++;
      if ((lineNo & 255) === 0 && Date.now() - sliceStart > GREP_SLICE_MS) {
        await new Promise((r) => setImmediate(r));
        sliceStart = Date.now();
      }
      const lineStart = offset;
      offset += Buffer.byteLength(rawLine) + 1;
      if (lineStart < since || !req.grep!.test(rawLine)) continue;
      matches++;
      const entry = `${lineNo}: ${rawLine}`;
      if (size + entry.length > req.maxBytes) {
        truncated = true;
        break;
      }
      hits.push(entry);
      size += entry.length + 1;
    }
  }
  let output = hits.length ? hits.join('\n') : `[no line matches ${req.grep}]`;
  if (truncated) output += `\n[… more matches not shown: narrow the pattern, or read with since/tail]`;
  return { output, cursor: total, total_bytes: total, truncated, binary: false, matches };
}

/** A foreground run's output from `start`: all of it, or its head and tail with the middle left out. */
export async function headTailWindow(m: TaskManager, id: string, maxBytes: number, stream: Stream = 'stdout'): Promise<OutputWindow> {
  const total = m.outputSize(id, stream);
  if (total <= maxBytes) {
    const all = await shown(m, id, 0, await m.readOutput(id, 0, total, stream), stream);
    if (all.allBinary) return { output: binaryNote(total), cursor: total, total_bytes: total, truncated: false, binary: true };
    // Rendered, it can be longer than its bytes: its end is kept, and the cut is said, not silent.
    const cut = Buffer.byteLength(all.text) > maxBytes;
    const kept = cut ? capText(all.text, maxBytes - 120, 'end') : all.text;
    const output = (cut ? `[… the start, ${formatBytes(Buffer.byteLength(all.text) - Buffer.byteLength(kept))} rendered, not shown: task_output with since=0 reads it …]\n` : '') + kept.replace(/\n$/, '');
    return { output, cursor: total, total_bytes: total, truncated: cut, binary: all.hidden > 0 };
  }
  const headBytes = Math.floor(maxBytes / 4);
  let head = await m.readOutput(id, 0, headBytes, stream);
  const nl = head.lastIndexOf(10);
  if (nl > 0) head = head.subarray(0, nl + 1);
  let tail = await m.readOutput(id, total - (maxBytes - headBytes), total, stream);
  const tnl = tail.indexOf(10);
  if (tnl >= 0 && tnl < tail.length - 1) tail = tail.subarray(tnl + 1);
  const skipped = total - head.length - tail.length;
  const h = await shown(m, id, 0, head, stream);
  const t = await shown(m, id, total - tail.length, tail, stream, true);
  // Nothing but binary at both ends: one note for all of it (grep still finds text lines in the middle).
  if (h.allBinary && t.allBinary) return { output: binaryNote(total), cursor: total, total_bytes: total, truncated: false, binary: true };
  const output =
    capText(h.text, headBytes, 'start').replace(/\n?$/, '\n') +
    `[… ${formatBytes(skipped)} not shown: task_output with since=${head.length} reads them, grep searches them …]\n` +
    capText(t.text, maxBytes - headBytes, 'end').replace(/\n$/, '');
  return { output, cursor: total, total_bytes: total, truncated: true, binary: h.hidden + t.hidden > 0 };
}
