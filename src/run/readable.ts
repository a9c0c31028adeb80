/**
 * Output bytes as text a model can read, line by line: one stray byte must
 * not hide the lines around it (`printf 'x\0y\n'; echo 'FAIL: 3 tests'`
 * once came back as "[binary output: 27 B]"). A line stays text, its odd
 * bytes spelled out (`\x00`); bytes that are not UTF-8 read as Latin-1
 * (`r\xe9sum\xe9` is "résumé"); only lines that are mostly bytes text does
 * not use are left out, a run of them as one "[binary: N not shown]" line.
 */
import { formatBytes } from '../core/units.js';
import { cleanText } from './clean.js';

/** A line is binary when more than this share of its bytes are control bytes or not UTF-8… */
const BINARY_SHARE = 0.3;
/** …and it has at least this many of them: a short line with one NUL is text with the NUL shown. */
const BINARY_MIN_BYTES = 8;
/** A line this short between binary ones is taken as part of them (random bytes make short "lines" too). */
const SHORT_LINE = 4;

export interface Readable {
  text: string;
  /** Bytes left out as binary. */
  hidden: number;
  /** Every non-empty line was binary. */
  allBinary: boolean;
}

// Control bytes terminal output does not use; \t \b \f \r and ESC are cleaned by cleanText.
const isOddControl = (b: number): boolean => (b < 32 && b !== 9 && b !== 8 && b !== 12 && b !== 13 && b !== 27) || b === 127;
// A fast test for text with nothing to spell out.
const ODD = /[\x00-\x07\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]/;

/** Length of a valid UTF-8 sequence at `i`, or 0. */
function sequenceAt(buf: Buffer, i: number, end: number): number {
  const b = buf[i];
  const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > end) return 0;
  for (let k = 1; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) return 0;
  // Overlong and surrogate forms are not valid either.
  if (b === 0xe0 && buf[i + 1] < 0xa0) return 0;
  if (b === 0xed && buf[i + 1] >= 0xa0) return 0;
  if (b === 0xf0 && buf[i + 1] < 0x90) return 0;
  if (b === 0xf4 && buf[i + 1] >= 0x90) return 0;
  return len;
}

const hex = (b: number): string => `\\x${b.toString(16).padStart(2, '0')}`;

/** One line's bytes decoded (invalid UTF-8 as Latin-1, C1 and odd controls spelled out) and how many were odd. */
function decodeLine(buf: Buffer, start: number, end: number): { text: string; odd: number } {
  let text = '';
  let odd = 0;
  let run = start;
  for (let i = start; i < end; ) {
    const b = buf[i];
    if (b < 0x80) {
      if (isOddControl(b) && b !== 7) odd++;
      i++;
      continue;
    }
    const len = sequenceAt(buf, i, end);
    if (len) {
      i += len;
      continue;
    }
    text += buf.toString('utf8', run, i) + (b >= 0xa0 ? String.fromCharCode(b) : hex(b));
    odd++;
    i++;
    run = i;
  }
  text += buf.toString('utf8', run, end);
  return { text, odd };
}

export interface ReadableOptions {
  /** Keep escapes and control bytes (bytes that are not UTF-8 are still decoded as Latin-1). */
  raw?: boolean;
  /** Leave binary lines out (default: unless raw). grep sets false: it searches every line. */
  hideBinary?: boolean;
}

export function readable(buf: Buffer, opts: ReadableOptions = {}): Readable {
  const raw = opts.raw ?? false;
  const hide = opts.hideBinary ?? !raw;
  const whole = buf.toString('utf8');
  if (!ODD.test(whole)) return { text: raw ? whole : cleanText(whole), hidden: 0, allBinary: false };
  const lines: { text: string; bytes: number; binary: boolean; short: boolean }[] = [];
  for (let start = 0; start <= buf.length; ) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    const { text, odd } = decodeLine(buf, start, end);
    const bytes = end - start;
    lines.push({ text, bytes: bytes + (end < buf.length ? 1 : 0), binary: hide && odd >= BINARY_MIN_BYTES && odd / Math.max(1, bytes) > BINARY_SHARE, short: bytes < SHORT_LINE || odd > 0 && bytes < BINARY_MIN_BYTES * 2 });
    start = end + 1;
    if (end === buf.length) break;
  }
  // Short fragments between binary lines belong to them.
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].binary || !lines[i].short) continue;
    let before = i - 1;
    while (before >= 0 && lines[before].short && !lines[before].binary) before--;
    let after = i + 1;
    while (after < lines.length && lines[after].short && !lines[after].binary) after++;
    if (before >= 0 && lines[before].binary && (after >= lines.length || lines[after].binary)) lines[i].binary = true;
  }
  const out: string[] = [];
  let hidden = 0;
  let run = 0;
  const flush = (): void => {
    if (run) out.push(`[binary: ${formatBytes(run)} not shown as text]`);
    hidden += run;
    run = 0;
  };
  for (const l of lines) {
    if (l.binary) {
      run += l.bytes;
      continue;
    }
    flush();
    out.push(raw ? l.text : cleanText(l.text));
  }
  const trailingNewline = buf.length > 0 && buf[buf.length - 1] === 10;
  if (run && trailingNewline) {
    // The last "line" after the final newline is empty: keep the output's own ending.
    flush();
    out.push('');
  } else flush();
  const allBinary = hidden > 0 && lines.every((l) => l.binary || l.bytes <= 1);
  return { text: out.join('\n'), hidden, allBinary };
}
