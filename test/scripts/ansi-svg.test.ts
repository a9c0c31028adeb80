/** The screenshots' renderer: a captured screen (SGR colours) to SVG, cell for cell. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, no types
import { ansiToSvg, screenCells } from '../../scripts/ansi-svg.mjs';

type Cell = { ch: string; width: number; fg: string | null; bg: string | null; bold?: boolean };

describe('ansi-svg', () => {
  it('reads colours, bold, inverse and wide characters as a terminal shows them', async () => {
    const text = '\x1b[1;31mfail\x1b[0m ok\n\x1b[7m> 2 lint\x1b[0m\n界x\x1b[38;2;1;2;3mrgb\x1b[0m\n';
    const grid = (await screenCells(text, 10, 3)) as Cell[][];
    expect(grid).toHaveLength(3);
    expect(grid[0].slice(0, 4).map((c) => c.ch).join('')).toBe('fail');
    expect(grid[0][0]).toMatchObject({ fg: '#f14c4c', bold: true, bg: null });
    expect(grid[0][5]).toMatchObject({ ch: 'o', fg: null, bold: false });
    // Inverse: default colours swapped.
    expect(grid[1][0]).toMatchObject({ ch: '>', fg: '#1e1e1e', bg: '#d4d4d4' });
    // A wide character takes two columns and one cell.
    expect(grid[2][0]).toMatchObject({ ch: '界', width: 2 });
    expect(grid[2][1]).toMatchObject({ ch: 'x', width: 1 });
    expect(grid[2][2]).toMatchObject({ ch: 'r', fg: '#010203' });
    // Every row has its full width in columns.
    for (const row of grid) expect(row.reduce((n, c) => n + c.width, 0)).toBe(10);
  });

  it('draws runs at their columns, stretched to their cell width, with text escaped', async () => {
    const svg: string = await ansiToSvg('a<b & \x1b[32mgreen\x1b[0m\n', { cols: 20, rows: 2, title: 'x & y' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('aria-label="x &amp; y"');
    expect(svg).toMatch(/<text x="12\.0" y="54" fill="#d4d4d4" textLength="50\.4" lengthAdjust="spacingAndGlyphs">a&lt;b &amp; <\/text>/);
    expect(svg).toMatch(/<text x="62\.4" y="54" fill="#23d18b" textLength="42\.0" lengthAdjust="spacingAndGlyphs">green<\/text>/);
    expect(svg.trim().endsWith('</g></svg>')).toBe(true);
  });
});
