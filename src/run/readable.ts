/**
 * Output bytes as text a model can read, line by line: one stray byte must
 * not hide the lines around it (`printf 'x\0y\n'; echo 'FAIL: 3 tests'`
 * once came back as "[binary output: 27 B]"). A line stays text, its odd
 * bytes spelled out (`\x00`); bytes that are not UTF-8 read as Latin-1
 * (`r\xe9sum\xe9` is "résumé"); only lines that are mostly bytes text does
 * not use are left out, a run of them as one "[binary: N not shown]" line.
 */
import { formatBytes } from '../shared/units.js';
import { cleanText } from './clean.js';

/** A line is binary when more than this share of its bytes are control bytes or not UTF-8… */
const BINARY_SHARE = 0.3;
/** …and it has at least this many of them: a short line with one NUL is text with the NUL shown. */
const BINARY_MIN_BYTES = 8;
/** A line this short, or with any odd byte, between binary ones is taken as part of them (random bytes make such "lines" too). */
const WEAK_LINE = 16;

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
  type Line = { text: string; odd: number; bytes: number; binary: boolean; weak: boolean; fragment: boolean };
  const lines: Line[] = [];
  // The output's own last newline ends its last line; it does not start another.
  const trailingNewline = buf.length > 0 && buf[buf.length - 1] === 10;
  const stop = trailingNewline ? buf.length - 1 : buf.length;
  for (let start = 0; start <= stop; ) {
    let end = buf.indexOf(10, start);
    if (end < 0 || end > stop) end = stop;
    const { text, odd } = decodeLine(buf, start, end);
    const bytes = end - start;
    const nonAscii = /[^\x00-\x7f]/.test(text);
    lines.push({
      text,
      odd,
      bytes: bytes + (end < buf.length ? 1 : 0),
      binary: hide && odd >= BINARY_MIN_BYTES && odd / Math.max(1, bytes) > BINARY_SHARE,
      // Random bytes make short "lines" too: a weak line between binary ones, a fragment beside one, is taken in.
      weak: bytes < WEAK_LINE || odd > 0,
      fragment: odd > 0 || bytes <= 3 || (nonAscii && bytes < WEAK_LINE),
    });
    start = end + 1;
    if (end === stop) break;
  }
  if (hide) {
    // Repeated: one taken in makes its neighbour's case.
    for (let pass = 0, changed = true; changed && pass < 4; pass++) {
      changed = false;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        if (l.binary || !l.weak) continue;
        const before = lines[i - 1]?.binary ?? false;
        const after = lines[i + 1]?.binary ?? false;
        if ((before && after) || (l.fragment && (before || after))) changed = l.binary = true;
      }
    }
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
  flush();
  if (trailingNewline) out.push('');
  const allBinary = hidden > 0 && lines.every((l) => l.binary || l.bytes <= 1);
  return { text: out.join('\n'), hidden, allBinary };
}
