/**
 * run/render.ts against the real emulator (@xterm/headless): the parts a
 * whole-server test reaches only by luck — where a read's context starts,
 * a read that starts inside a full-screen program, a cleared scrollback, a
 * long line read in pages, a log rendered in batches. The patterns against a
 * real terminal (tmux) are in test/e2e/terminal-render.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { contextStart } from '../../src/run/render-context.js';
import { LogRenderer } from '../../src/run/render-log.js';
import { renderSince, renderTextNow, type TermSize } from '../../src/run/render.js';

const size: TermSize = { cols: 40, rows: 5, pty: true };
const b = (s: string): Buffer => Buffer.from(s);
const since = async (before: string, after: string, opts: TermSize = size, more = false): Promise<string> => (await renderSince(b(before), b(after), opts, more)).lines.join('\n');

describe('contextStart', () => {
  it('starts after the line feed that leaves a screenful of lines, or at the log start when there are fewer', () => {
    const ctx = b('1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n');
    expect(ctx.subarray(contextStart(ctx, 5, false)).toString()).toBe('3\r\n4\r\n5\r\n6\r\n7\r\n');
    expect(contextStart(b('a\r\nb\r\n'), 5, true)).toBe(0);
    expect(b('a\r\nb\r\n').subarray(contextStart(b('a\r\nb\r\n'), 5, false)).toString()).toBe('b\r\n');
  });
  it('with no line feed, starts at a CR or ESC, never inside a character', () => {
    expect(contextStart(b('ress 10%\r 20%'), 5, false)).toBe(8);
    expect(contextStart(Buffer.from([0x98, 0x83, 0x78, 0x79]), 5, false)).toBe(2);
  });
  it('starts at the switch to the alternate screen when the program has not left it', () => {
    const ctx = b('a\r\nb\r\n\x1b[?1049h\x1b[Hframe\r\nmore\r\n');
    expect(contextStart(ctx, 1, false)).toBe(6);
    // Left again: lines as usual.
    expect(contextStart(b('x\x1b[?1049h y\x1b[?1049l\r\nz\r\n'), 1, false)).toBe(21);
  });
});

describe('renderSince', () => {
  it('returns what changed from the line the cursor was on, not the residue of frames', async () => {
    expect(await since('npm install\r\n|', '\x1b[1G\x1b[0K/\x1b[1G\x1b[0Kadded 5 packages\r\n')).toBe('added 5 packages\n');
    expect(await since('a\r\nlayer 1: waiting\r\nlayer 2: waiting\r\n', '\x1b[2A\x1b[2Klayer 1: done\r\n\r\nend\r\n')).toBe('layer 1: done\nlayer 2: waiting\nend\n');
  });
  it('nothing after the cursor: nothing', async () => {
    expect(await since('a\r\nb\r\n', '')).toBe('');
  });
  it('a line that only grew comes as its new part when reading on from a cursor', async () => {
    expect(await since('hel', 'lo\r\nnext\r\n', size, true)).toBe('lo\nnext\n');
    expect(await since('hel', 'lo\r\n', size, false)).toBe('hello\n');
  });
  it('reading on from a cursor just before a line feed does not show that line again', async () => {
    // The last read ended at `tick 5` (its output ended with it); this one starts at its \r\n.
    expect(await since('tick 4\r\ntick 5', '\r\ntick 6\r\n', size, true)).toBe('\ntick 6\n');
    expect(await since('tick 4\r\ntick 5\r', '\ntick 6\r\n', size, true)).toBe('\ntick 6\n');
    // A line rewritten in place is news.
    expect(await since('50%', '\r60%\r\n', size, true)).toBe('60%\n');
  });
  it('a read that starts inside a full-screen program: what it drew goes when it leaves', async () => {
    expect(await since('frame row 1\r\nframe row 2\r\n', '\x1b[Hredrawn\x1b[?1049lafter it\r\n')).toBe('after it\n');
  });
  it('a full-screen program still running shows its screen below the log', async () => {
    expect(await since('', 'log line\r\n\x1b[?1049h\x1b[H\x1b[2Jtop\x1b[3;1Hbottom')).toBe('log line\ntop\n\nbottom');
  });
  it('a cleared scrollback (ESC[3J): everything on the screen is news', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `l${i}\r\n`).join('');
    expect(await since(many, '\x1b[3J\x1b[H\x1b[2Jfresh\r\n')).toMatch(/fresh\n$/);
  });
  it('pipes: \\n is a new line, tabs stay tabs, long lines stay one line, \\r overwrites as on a terminal', async () => {
    const pipe: TermSize = { ...size, pty: false };
    expect(await since('', 'a\tb\n' + 'x'.repeat(90) + '\nten%\rall\n', pipe)).toBe(`a\tb\n${'x'.repeat(90)}\nall%\n`);
  });
  it('stray control bytes are spelled out; binary runs are summarised', async () => {
    expect(await since('', 'x\x00y\r\n')).toBe('x\\x00y\n');
    const r = await renderSince(b(''), Buffer.concat([Buffer.alloc(300, 1), b('\r\nFAIL\r\n')]), size);
    expect(r.hidden).toBeGreaterThan(0);
    expect(r.lines.join('\n')).toMatch(/\[binary: .* not shown as text\]\nFAIL\n$/);
  });
});

describe('a long window is replayed in pieces (memory stays bounded)', () => {
  it('a redraw across the cut between pieces replaces the lines it redrew, as one terminal would', async () => {
    const first = Array.from({ length: 1000 }, (_, i) => `l${i + 1}\r\n`).join('');
    const redraw = '\x1b[2A\x1b[2Kl999 redrawn\r\n\x1b[2Kl1000 redrawn\r\n';
    const rest = Array.from({ length: 1500 }, (_, i) => `m${i + 1}\r\n`).join('');
    const r = await renderSince(b(''), b(first + redraw + rest), size);
    const want = [...Array.from({ length: 998 }, (_, i) => `l${i + 1}`), 'l999 redrawn', 'l1000 redrawn', ...Array.from({ length: 1500 }, (_, i) => `m${i + 1}`), ''];
    expect(r.lines).toEqual(want);
    // From a cursor just before the redraw: the redrawn lines and what follows.
    const from = await renderSince(b(first.slice(-200)), b(redraw + rest), size);
    expect(from.lines).toEqual(want.slice(998));
  });
  it('a line longer than a piece is one line', async () => {
    expect((await renderSince(b(''), b('y'.repeat(150_000) + '\r\nend\r\n'), size)).lines).toEqual(['y'.repeat(150_000), 'end', '']);
  });
});

describe('hostile counts', () => {
  it.each(['S', 'T', 'L', 'M', '@', 'P', 'X', 'b', 'I', 'Z'])('ESC[99999999%s (and with more parameters) is carried out as the screen allows, at once', async (final) => {
    const max = 'STLM'.includes(final) ? size.rows : size.cols;
    for (const params of ['99999999', '99999999;99999999;5']) {
      const big = await since('a\r\nb\r\n', `cd\x1b[${params}${final}e\r\nf\r\n`);
      expect(big).toBe(await since('a\r\nb\r\n', `cd\x1b[${params.replace(/\d+/g, (n) => String(Math.min(Number(n), max)))}${final}e\r\nf\r\n`));
    }
  });
});

describe('hostile counts across the cut, and long parameter runs', () => {
  it('a count cut where the context ends (ESC[9999 | 9999S) is capped whole, and reads as the same sequence unbroken', async () => {
    const cut = await renderSince(b('a\r\nb\x1b[9999'), b('9999Sc\r\n'), size);
    const whole = await renderSince(b('a\r\nb'), b(`\x1b[${size.rows}Sc\r\n`), size);
    expect(cut.lines).toEqual(whole.lines);
  });
  it('a 64 KB run of parameter digits with no final byte is text that ends, not a stall', async () => {
    const digits = '1'.repeat(64 * 1024);
    const r = await renderSince(b(''), b(`x\x1b[${digits}\r\ny\r\n`), size);
    expect(r.lines.at(-2)).toBe('y');
  });
});

describe('renderTextNow and LogRenderer', () => {
  it('renderTextNow renders at once', () => {
    // The last backspace puts the cursor on the "-", which " done" overwrites.
    expect(renderTextNow(b('working |\b/\b-\b done\r\n'), size)).toBe('working  done\n');
  });
  it('a log in batches: a redraw inside a batch shows only its end; lines come in order', async () => {
    const log = new LogRenderer(size);
    let out = await log.push(b('start\r\nlayer 1: wait'));
    out += await log.push(b('ing\r\n\x1b[1A\x1b[2Klayer 1: done\r\nend'));
    out += await log.push(b(''), true);
    expect(out).toBe('start\nlayer 1: done\nend');
  });
});
