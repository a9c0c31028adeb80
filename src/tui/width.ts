/**
 * How many terminal columns text takes, for laying out rows that must line up:
 * a CJK character or a wide emoji takes two, combining marks and format
 * characters (zero-width space and joiner, variation selectors) take none.
 * Counting code points instead wraps a row of CJK and lets zero-width
 * characters shift every column after them.
 */
import { eastAsianWidth } from 'get-east-asian-width';

const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\u200b\u2060\ufe00-\ufe0f]$/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return eastAsianWidth(ch.codePointAt(0)!);
}

export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** The longest start of `text` that fits in `width` columns. */
export function cutToWidth(text: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** `text` padded with spaces to `width` columns (text wider than that is left as it is). */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}
