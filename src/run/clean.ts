/**
 * Turning raw terminal bytes into text a model can read: ANSI escapes removed,
 * carriage-return progress bars collapsed to their last state, CRLF as LF,
 * and binary output recognised and summarised instead of dumped.
 */
import stripAnsi from 'strip-ansi';

/** Bytes looked at to decide whether output is binary. */
const SNIFF_BYTES = 8192;

/**
 * Binary when the sample holds NUL bytes or many control bytes that text and
 * terminal output do not use (ESC, \t, \n, \r, \b and \f are fine), or is not
 * valid UTF-8 in large part.
 */
export function looksBinary(sample: Buffer): boolean {
  const bytes = sample.subarray(0, SNIFF_BYTES);
  if (bytes.length === 0) return false;
  let odd = 0;
  for (const b of bytes) {
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 27 && b !== 8 && b !== 12) odd++;
  }
  if (odd / bytes.length > 0.1) return true;
  const text = bytes.toString('utf8');
  let replaced = 0;
  for (const ch of text) if (ch === '\uFFFD') replaced++;
  return replaced / bytes.length > 0.1;
}

/** Collapses every line's carriage-return rewrites to what the terminal showed last. */
function collapseCarriageReturns(line: string): string {
  if (!line.includes('\r')) return line;
  const parts = line.split('\r');
  // A trailing \r (CR before nothing) keeps the text before it.
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== '') return parts[i];
  return '';
}

/** Applies backspaces the way a terminal does: erase the character before. */
function applyBackspaces(line: string): string {
  if (!line.includes('\b')) return line;
  const out: string[] = [];
  for (const ch of line) {
    if (ch === '\b') out.pop();
    else out.push(ch);
  }
  return out.join('');
}

export function cleanText(raw: string): string {
  const text = stripAnsi(raw).replace(/\r+\n/g, '\n');
  return text
    .split('\n')
    .map((line) => applyBackspaces(collapseCarriageReturns(line)))
    .join('\n')
    // Control bytes left after escapes are gone: a bell and charset shifts mean nothing to a reader and go;
    // others (a NUL in `x\0y`) are spelled out, so the text around them stays and nothing hides.
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x07' || c === '\x0e' || c === '\x0f' ? '' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function cleanOutput(raw: Buffer): string {
  return cleanText(raw.toString('utf8'));
}

/**
 * Largest cut ≤ `at` that does not split a UTF-8 sequence, so decoding a slice
 * never invents replacement characters.
 */
export function utf8Boundary(buf: Buffer, at: number): number {
  const end = Math.min(at, buf.length);
  // The lead byte of the last sequence that starts before the cut: step back over continuation bytes (10xxxxxx).
  let i = end - 1;
  while (i > 0 && end - i < 4 && (buf[i] & 0xc0) === 0x80) i--;
  if (i < 0) return end;
  const lead = buf[i];
  const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  // A sequence the cut would split ends the slice before it (also at the buffer's end: a page cut mid-character).
  return i + len > end ? i : end;
}

/** Rough model-token count for text of this many bytes (≈4 bytes a token for English and code). */
export function estimateTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}
