/**
 * Output as a terminal shows it: bytes replayed through a headless terminal
 * emulator (@xterm/headless, the engine of VS Code's terminal) of the task's
 * size, and read back as lines. Spinners, `\r` progress bars, backspaces,
 * cursor-up redraws (docker build, pnpm, vitest), erase in line and display,
 * the alternate screen, tabs and wide characters come out as the terminal
 * left them; lines that scrolled off the top are kept (the reader gets a log,
 * not a screen), and a line the terminal wrapped is one line again.
 *
 * Rendering happens when output is read, over a bounded window (the bytes
 * asked for plus a little context before them): never on the path every
 * byte takes while a task prints, so it costs throughput nothing and memory
 * stays flat however much a task prints.
 *
 * A read from a cursor replays the context up to the cursor, notes the
 * document the terminal showed then, replays the rest, and returns the
 * document from the first line that is new or changed: a line the terminal
 * has since overwritten is never returned as if it were current.
 */
import { createRequire } from 'node:module';
import type { Terminal as XTerm } from '@xterm/headless';
import { utf8Boundary } from './clean.js';
import { readable } from './readable.js';
import { CONTEXT_BYTES, contextStart, enterIfInside } from './render-context.js';

export interface TermSize {
  cols: number;
  rows: number;
  /** A pty task: its bytes went to a terminal (the line discipline already turned \n into \r\n). Pipes: \n is a new line. */
  pty: boolean;
}

export interface Rendered {
  /** The lines new or changed since the start of `after`; '' last when the cursor sits on an empty line (the output ended with a newline). */
  lines: string[];
  /** Bytes left out as binary. */
  hidden: number;
  /** Every non-empty line of `after` was binary. */
  allBinary: boolean;
}

type TerminalCtor = typeof import('@xterm/headless').Terminal;
let ctor: TerminalCtor | null = null;
/** Loaded on the first read that renders, not at start: ~180 KB that `bgbash serve` would otherwise parse before its first answer. */
function terminalClass(): TerminalCtor {
  ctor ??= (createRequire(import.meta.url)('@xterm/headless') as typeof import('@xterm/headless')).Terminal;
  return ctor;
}

/** At most this many lines are kept above the screen while replaying (the window holds fewer: it is bounded in bytes). */
const MAX_SCROLLBACK = 100_000;
/** Pipes keep their tabs: each stands in as this one-column character while the terminal lays out the line. */
const TAB_STAND_IN = '\u{10fffd}';
/**
 * Control bytes no terminal output uses are spelled out (`x\0y` reads `x\x00y`), so one stray byte stays visible
 * and the text around it stays. Kept: BEL (ends OSC titles), BS, TAB, LF, VT, FF, CR, SO/SI, ESC.
 */
const ODD_CONTROL = /[\x00-\x06\x10-\x1a\x1c-\x1f\x7f]/g;
const spell = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * Sequences whose count xterm carries out one step at a time (scroll, insert or delete lines or characters, repeat
 * the last character, tab forward or back): `ESC[99999999S` would hold the server for minutes. Their count is cut
 * to the screen's size, which on the screen is the same (more than a screenful of lines or a row of characters
 * changes nothing more), except scrolling: what scrolls past a screenful is blank lines.
 */
// One quantifier over the parameters: linear, where `[\d;:]*\d{3}[\d;:]*` backtracked for seconds on a long run of
// digits with no final byte. Small counts match too; capping leaves them as they are.
const COUNTED = /(\x1b\[|\u009b)([\d;:]+)( ?[STLM@PXbIZ^])/g;
/** A control sequence still open at the end of a text: its parameters so far. */
const UNFINISHED_CSI = /(?:\x1b\[|\u009b)[\d;:]*$/;
const capCounts = (text: string, size: TermSize): string =>
  text.replace(COUNTED, (_seq, csi: string, params: string, final: string) => {
    const max = /[STLM^]$/.test(final) ? size.rows : size.cols;
    return csi + params.replace(/\d+/g, (n) => (Number(n) > max ? String(max) : n)) + final;
  });

/** Text for the emulator: binary runs as one note line, bytes that are not UTF-8 as Latin-1, odd controls spelled out. */
function prepare(buf: Buffer, size: TermSize): { text: string; hidden: number; allBinary: boolean } {
  const { pty } = size;
  const r = readable(buf, { raw: true, hideBinary: true });
  let text = capCounts(r.text.replace(ODD_CONTROL, spell), size);
  // A note stands in for binary lines up to their \n, their \r with them: on a pty the next line starts at column 1 again.
  if (r.hidden && pty) text = text.replace(/( not shown as text\])\n/g, '$1\r\n');
  if (!pty) text = text.replaceAll('\t', TAB_STAND_IN);
  return { text, hidden: r.hidden, allBinary: r.allBinary };
}

/** Lines the replay may need above the screen: one per line feed, one per wrap, and the screen. */
function scrollbackFor(text: string, size: TermSize): number {
  let feeds = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) feeds++;
  return Math.min(MAX_SCROLLBACK, feeds + Math.ceil(text.length / size.cols) + size.rows + 1);
}

interface Doc {
  lines: string[];
  /** Index in `lines` of the cursor's line. */
  cursor: number;
}

/**
 * One buffer's lines from the line holding row `from` on, wrapped rows joined, trailing blanks trimmed, down to the
 * cursor or the last non-empty line.
 */
function bufferLines(buf: XTerm['buffer']['normal'], from: number, withCursor: boolean): Doc {
  const lines: string[] = [];
  const cursorRow = buf.baseY + buf.cursorY;
  let cursor = 0;
  let lastUsed = -1;
  let y = Math.min(from, buf.length);
  while (y > 0 && y < buf.length && buf.getLine(y)?.isWrapped) y--;
  // getLine past the end is not always undefined (the rows are a ring): the length bounds the loop.
  for (let line = buf.getLine(y); line && y < buf.length; y++) {
    const next = y + 1 < buf.length ? buf.getLine(y + 1) : undefined;
    // A row that wraps into the next keeps its trailing spaces: they are part of the joined line.
    const wraps = next?.isWrapped ?? false;
    const text = line.translateToString(!wraps);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
    if (y === cursorRow) cursor = lines.length - 1;
    if (/\S/.test(text)) lastUsed = lines.length - 1;
    line = next;
  }
  const keep = Math.max(lastUsed, withCursor ? cursor : -1) + 1;
  // Cells nothing was written to (or that were erased) are not text; spaces the program wrote are ("got: " stays).
  lines.length = Math.min(lines.length, keep);
  return { lines, cursor };
}

/**
 * What the reader is shown, from the line holding row `from` of the normal buffer (rows above it are scrollback
 * both snapshots share): its lines, and while a full-screen program runs, its screen below them.
 */
function documentOf(term: XTerm, pty: boolean, from = 0): Doc {
  const active = term.buffer.active;
  const normal = bufferLines(term.buffer.normal, from, active.type === 'normal');
  if (active.type === 'normal') return finish(normal, pty);
  const alt = bufferLines(active, 0, true);
  return finish({ lines: [...normal.lines, ...alt.lines], cursor: normal.lines.length + alt.cursor }, pty);
}

function finish(doc: Doc, pty: boolean): Doc {
  if (!pty) doc.lines = doc.lines.map((l) => (l.includes(TAB_STAND_IN) ? l.replaceAll(TAB_STAND_IN, '\t') : l));
  return doc;
}

/**
 * Writes `text` into the terminal; null when it was parsed at once, else a promise of the end. xterm parses a write
 * on a later turn of the event loop (a timer), unless user input came just before: then at once, for up to 12 ms,
 * and the rest on later turns (so a long replay never holds the server). An empty input() is that user input.
 */
function feed(term: XTerm, text: string): Promise<void> | null {
  if (!text) return null;
  let parsed = false;
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  term.input('', true);
  term.write(text, () => {
    parsed = true;
    resolve();
  });
  return parsed ? null : done;
}

function newTerminal(text: string, size: TermSize): XTerm {
  const Terminal = terminalClass();
  return new Terminal({ cols: size.cols, rows: size.rows, scrollback: scrollbackFor(text, size), convertEol: !size.pty, allowProposedApi: true, logLevel: 'off',
    // A clear screen (ESC[2J) pushes what was on it into the scrollback, as tmux does (scroll-on-clear): the reader keeps the log.
    scrollOnEraseInDisplay: true,
  });
}

/** A piece of a window replayed in one terminal: at most this many line feeds… */
const PIECE_FEEDS = 1000;
/** …and this many bytes. The emulator keeps every row as cols × 12 bytes, whatever it holds: a 1 MB window of short lines in one terminal would take hundreds of MB. */
const PIECE_BYTES = 64 * 1024;

interface Piece extends Rendered {
  /** Lines of the document before the piece (from the cursor's line down) that its lines replace. */
  back: number;
  /** Its first line is only what the line there gained. */
  grew: boolean;
}

/**
 * Replays `before` (context: what the terminal showed before the bytes read), then `after`, through a terminal of
 * `size`; returns the lines new or changed by `after`. With no context, every line `after` leaves. continueLine: when
 * the first of them only grew, just what it gained (the reader had the rest from the read that ended there).
 * A long `after` is replayed in pieces, each with the bytes before it as context, so memory stays bounded; a piece
 * that redraws lines of the one before replaces them.
 */
export async function renderSince(before: Buffer, after: Buffer, size: TermSize, continueLine = false): Promise<Rendered> {
  let lines: string[] = [];
  let hidden = 0;
  let allBinary = true;
  let context = before;
  let since = performance.now();
  for (let at = 0; at === 0 || at < after.length; ) {
    // xterm parses a write to its end at once: between pieces, other requests get their turn (a 1 MiB read is ~64).
    if (performance.now() - since > YIELD_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      since = performance.now();
    }
    const end = pieceEnd(after, at);
    const piece = after.subarray(at, end);
    const r = await renderPiece(context, piece, size, continueLine || at > 0);
    if (at === 0) lines = r.lines;
    else {
      // The piece's first line is the document's line `back` lines from its end: replaced, or (grown) continued.
      const i = lines.length - r.back;
      if (i < 0) lines = r.lines;
      else {
        const grown = r.grew ? lines[i] + r.lines[0] : null;
        lines.length = i;
        if (grown !== null) lines.push(grown);
        for (let k = grown !== null ? 1 : 0; k < r.lines.length; k++) lines.push(r.lines[k]);
      }
    }
    hidden += r.hidden;
    allBinary &&= r.allBinary;
    if (end >= after.length) break;
    const tail = Buffer.concat([context, piece]);
    const ctx = tail.subarray(Math.max(0, tail.length - CONTEXT_BYTES));
    context = ctx.subarray(contextStart(ctx, size.rows, false));
    at = end;
  }
  return { lines, hidden, allBinary };
}

/** How long one read renders before it lets the event loop serve others. */
const YIELD_MS = 20;

/** Where the piece of `buf` from `at` ends: after its PIECE_FEEDS-th line feed, or at PIECE_BYTES (a whole character). */
function pieceEnd(buf: Buffer, at: number): number {
  const limit = Math.min(buf.length, at + PIECE_BYTES);
  let feeds = 0;
  for (let i = buf.indexOf(10, at); i >= 0 && i < limit; i = buf.indexOf(10, i + 1)) if (++feeds === PIECE_FEEDS) return i + 1;
  if (limit === buf.length) return limit;
  return utf8Boundary(buf.subarray(0, limit), limit) || limit;
}

async function renderPiece(before: Buffer, after: Buffer, size: TermSize, continueLine: boolean): Promise<Piece> {
  const pre = prepare(before, size);
  const post = prepare(after, size);
  // A counted sequence cut where the context ends (`ESC[9999` | `9999S`) is capped whole: its start goes with the rest.
  const open = UNFINISHED_CSI.exec(pre.text);
  if (open) {
    pre.text = pre.text.slice(0, open.index);
    post.text = capCounts(open[0] + post.text, size);
  }
  pre.text = enterIfInside(pre.text, post.text);
  const term = newTerminal(pre.text + post.text, size);
  const result = (lines: string[], back = 0, grew = false): Piece => ({ lines, hidden: post.hidden, allBinary: post.allBinary, back, grew });
  try {
    if (!pre.text) {
      await feed(term, post.text);
      return result(documentOf(term, size.pty).lines);
    }
    await feed(term, pre.text);
    // Rows above the screen are scrollback: they stay as they are, so both snapshots start at the screen's top.
    const top = term.buffer.normal.baseY;
    const height = term.buffer.normal.length;
    const then = documentOf(term, size.pty, top);
    await feed(term, post.text);
    // The scrollback was cleared (ESC[3J) or cut: rows moved, so nothing lines up with the snapshot; all of it is news.
    if (term.buffer.normal.length < height) return result(documentOf(term, size.pty).lines);
    const now = documentOf(term, size.pty, top);
    // From the line the cursor was on (output goes on from there), or an earlier one the output changed.
    const limit = Math.min(then.lines.length, now.lines.length, post.text ? then.cursor : Infinity);
    let first = 0;
    while (first < limit && then.lines[first] === now.lines[first]) first++;
    const back = then.lines.length - first;
    // A line that only grew (a long line read in pages, a line still being printed): its new part, as a log continues.
    // Or did not change at all (the last read ended before its line feed): nothing of it again, or the reader sees it twice.
    const was = then.lines[first];
    const is = now.lines[first];
    if (continueLine && was && is !== undefined && is.startsWith(was)) return result([is.slice(was.length), ...now.lines.slice(first + 1)], back, true);
    return result(now.lines.slice(first), back);
  } finally {
    term.dispose();
  }
}

/**
 * All of `buf` rendered, without waiting: for a screen that draws in one go (the Tasks page's Result, a progress
 * message). Null when xterm did not finish at once (more than its 12 ms slice): the caller falls back to the line
 * cleaner.
 */
export function renderTextNow(buf: Buffer, size: TermSize): string | null {
  const post = prepare(buf, size);
  const term = newTerminal(post.text, size);
  try {
    return feed(term, post.text) ? null : documentOf(term, size.pty).lines.join('\n');
  } finally {
    term.dispose();
  }
}
