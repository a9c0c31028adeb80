// A terminal screen (text with SGR colours, as `tmux capture-pane -e -p`
// prints it) as an SVG picture. @xterm/headless (xterm.js without a DOM)
// interprets the escapes into a grid of cells, so colours, bold, inverse
// and wide characters come out as a real terminal shows them; this file
// only draws that grid. Every run of text is stretched to its exact cell
// width (textLength), so columns line up whatever monospace font the viewer has.
import xterm from '@xterm/headless';

const { Terminal } = xterm;

// A dark theme (the 16 ANSI colours), then xterm's 6×6×6 cube and grey ramp.
const BASE16 = [
  '#1e1e1e', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#e5e5e5',
  '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#ffffff',
];
const FG = '#d4d4d4';
const BG = '#1e1e1e';

function palette(n) {
  if (n < 16) return BASE16[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}

const rgb = (r, g, b) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
const hex24 = (v) => rgb((v >> 16) & 255, (v >> 8) & 255, v & 255);

function colour(cell, which) {
  const is = (m) => cell[`is${which}${m}`]();
  const value = which === 'Fg' ? cell.getFgColor() : cell.getBgColor();
  if (is('Default')) return null;
  if (is('RGB')) return hex24(value);
  return palette(value);
}

const escapeXml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The cells of a screen: rows of { ch, width, fg, bg, bold, dim, italic, underline }. */
export async function screenCells(text, cols, rows) {
  const term = new Terminal({ cols, rows, allowProposedApi: true, convertEol: true });
  // capture-pane ends every row with a newline; the last one would scroll the screen.
  await new Promise((resolve) => term.write(text.replace(/\n$/, ''), resolve));
  const buf = term.buffer.active;
  const out = [];
  for (let y = 0; y < rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    const cells = [];
    for (let x = 0; x < cols; x++) {
      const cell = line?.getCell(x);
      if (!cell) {
        cells.push({ ch: ' ', width: 1, fg: null, bg: null });
        continue;
      }
      const width = cell.getWidth();
      if (width === 0) continue; // the right half of a wide character
      let fg = colour(cell, 'Fg');
      let bg = colour(cell, 'Bg');
      if (cell.isInverse()) [fg, bg] = [bg ?? BG, fg ?? FG];
      cells.push({ ch: cell.getChars() || ' ', width, fg, bg, bold: !!cell.isBold(), dim: !!cell.isDim(), italic: !!cell.isItalic(), underline: !!cell.isUnderline() });
    }
    out.push(cells);
  }
  term.dispose();
  return out;
}

/** SVG for a screen of `cols`×`rows`, with a window frame and a title. */
export async function ansiToSvg(text, { cols, rows, title = '' }) {
  const grid = await screenCells(text, cols, rows);
  const cw = 8.4;
  const lh = 18;
  const pad = 12;
  const bar = 28;
  const width = Math.ceil(cols * cw + pad * 2);
  const height = Math.ceil(rows * lh + pad * 2 + bar);
  const parts = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`);
  parts.push(`<rect width="${width}" height="${height}" rx="8" fill="${BG}"/>`);
  parts.push(`<circle cx="18" cy="14" r="5" fill="#ff5f56"/><circle cx="36" cy="14" r="5" fill="#ffbd2e"/><circle cx="54" cy="14" r="5" fill="#27c93f"/>`);
  if (title) parts.push(`<text x="${width / 2}" y="18" fill="#8c8c8c" font-family="sans-serif" font-size="12" text-anchor="middle">${escapeXml(title)}</text>`);
  parts.push(`<g font-family="ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace" font-size="14" xml:space="preserve">`);
  grid.forEach((cells, y) => {
    const top = bar + pad + y * lh;
    const base = top + 14;
    let col = 0;
    // Backgrounds first, one rectangle per run of cells that share one (no seams between cells), then the text.
    let fill = null;
    let from = 0;
    const paint = (to) => {
      if (fill) parts.push(`<rect x="${(pad + from * cw).toFixed(1)}" y="${top}" width="${((to - from) * cw).toFixed(1)}" height="${lh}" fill="${fill}"/>`);
    };
    for (const c of cells) {
      if (c.bg !== fill) {
        paint(col);
        fill = c.bg;
        from = col;
      }
      col += c.width;
    }
    paint(col);
    col = 0;
    let run = null;
    const flush = () => {
      if (!run || !run.text.trim()) return;
      const attrs = [`x="${(pad + run.col * cw).toFixed(1)}"`, `y="${base}"`, `fill="${run.fg ?? FG}"`, `textLength="${(run.cols * cw).toFixed(1)}"`, 'lengthAdjust="spacingAndGlyphs"'];
      if (run.bold) attrs.push('font-weight="bold"');
      if (run.dim) attrs.push('opacity="0.6"');
      if (run.italic) attrs.push('font-style="italic"');
      if (run.underline) attrs.push('text-decoration="underline"');
      parts.push(`<text ${attrs.join(' ')}>${escapeXml(run.text)}</text>`);
    };
    for (const c of cells) {
      const key = `${c.fg}|${c.bold}|${c.dim}|${c.italic}|${c.underline}|${c.width}`;
      if (run && run.key === key) {
        run.text += c.ch;
        run.cols += c.width;
      } else {
        flush();
        run = { key, text: c.ch, col, cols: c.width, fg: c.fg, bold: c.bold, dim: c.dim, italic: c.italic, underline: c.underline };
      }
      col += c.width;
    }
    flush();
  });
  parts.push('</g></svg>');
  return parts.join('\n') + '\n';
}
