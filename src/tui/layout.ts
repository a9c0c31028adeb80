/**
 * The Tasks page's layout rules, from the seed, as pure functions of the
 * terminal's size so they can be tested with exact numbers:
 * - below 50 columns the Elapsed column is hidden;
 * - from 14 rows up, an open detail panel gets up to 60% of the height and the
 *   table keeps at least 40%; the table never gets fewer than 6 rows and the
 *   detail panel never fewer than 8.
 * "Table" is everything above the panel: title bar, header, separator, task
 * rows. "Detail" is the panel: its heading, its fields and the help bar.
 * Below 14 rows an open panel takes the whole page (title bar + panel): there
 * is no room for both.
 */

import { printable } from '../shared/printable.js';
import { cutToWidth, displayWidth } from './width.js';

export const MIN_SPLIT_HEIGHT = 14;
export const MIN_TABLE_ROWS = 6;
export const MIN_DETAIL_ROWS = 8;
export const ELAPSED_MIN_WIDTH = 50;

/** Lines above the task rows: title bar, header, separator. */
export const TABLE_CHROME = 3;

export interface Split {
  /** Lines of the table section (title, header, separator, task rows). */
  table: number;
  /** Lines of the detail section (heading, fields, help bar); 0 when closed. */
  detail: number;
  /** Task rows that fit in the table section. */
  taskRows: number;
  /** Detail lines for fields (without heading and help bar). */
  detailBody: number;
  /** The panel covers the table (terminal under 14 rows). */
  fullScreenDetail: boolean;
}

export function split(height: number, detailOpen: boolean): Split {
  const h = Math.max(1, height);
  if (!detailOpen) {
    // title, header, separator, rows…, help bar
    const taskRows = Math.max(0, h - TABLE_CHROME - 1);
    return { table: h, detail: 0, taskRows, detailBody: 0, fullScreenDetail: false };
  }
  if (h < MIN_SPLIT_HEIGHT) {
    // title bar, then the panel: heading, body…, help bar
    const detail = h - 1;
    return { table: 1, detail, taskRows: 0, detailBody: Math.max(0, detail - 2), fullScreenDetail: true };
  }
  let detail = Math.max(MIN_DETAIL_ROWS, Math.floor(h * 0.6));
  let table = h - detail;
  if (table < MIN_TABLE_ROWS) {
    table = MIN_TABLE_ROWS;
    detail = h - table;
  }
  return { table, detail, taskRows: table - TABLE_CHROME, detailBody: detail - 2, fullScreenDetail: false };
}

export interface Columns {
  id: number;
  prompt: number;
  status: number;
  /** 0 when hidden. */
  elapsed: number;
}

/** Widths of ID / Prompt / Status / Elapsed for a terminal `width` wide; rows start with a 2-char cursor mark. */
export function columns(width: number, idWidth: number): Columns {
  const id = Math.min(8, Math.max(2, idWidth));
  const status = 9; // "cancelled"
  const elapsed = width < ELAPSED_MIN_WIDTH ? 0 : 8;
  // Cells are joined by 3 spaces (2 when Elapsed is hidden): 3 gaps, or 2.
  const gapTotal = elapsed ? 3 * 3 : 2 * 2;
  const prompt = Math.max(4, width - 2 - id - status - elapsed - gapTotal);
  return { id, prompt, status, elapsed };
}

/** Cuts to `width` terminal columns (not code points: CJK takes two), with "…" when cut. */
export function fit(text: string, width: number): string {
  const flat = printable(text.replace(/[\r\n\t]+/g, ' '));
  if (width <= 0) return '';
  return displayWidth(flat) > width ? cutToWidth(flat, Math.max(0, width - 1)) + '…' : flat;
}

/** Word-wraps to `width`, breaking long words. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let w = word;
      while (displayWidth(w) > width) {
        if (line) {
          out.push(line);
          line = '';
        }
        // At least one character per line, so a character wider than the room cannot loop forever.
        const piece = cutToWidth(w, width) || [...w][0];
        out.push(piece);
        w = w.slice(piece.length);
      }
      if (!line) line = w;
      else if (displayWidth(line) + 1 + displayWidth(w) <= width) line += ' ' + w;
      else {
        out.push(line);
        line = w;
      }
    }
    out.push(line);
  }
  return out;
}

/** Splits a chunk of terminal input into keys: escape sequences whole, other characters one by one. */
export function splitKeys(input: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < input.length; ) {
    if (input[i] === '\x1b' && (input[i + 1] === '[' || input[i + 1] === 'O') && i + 2 < input.length) {
      let j = i + 2;
      while (j < input.length && !/[A-Za-z~]/.test(input[j])) j++;
      keys.push(input.slice(i, j + 1));
      i = j + 1;
    } else {
      keys.push(input[i]);
      i++;
    }
  }
  return keys;
}
