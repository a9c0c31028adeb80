import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readable } from '../../src/run/readable.js';

describe('readable', () => {
  it('a stray byte is spelled out and its line stays; the lines around it too', () => {
    const r = readable(Buffer.from('x\0y\nFAIL: 3 tests failed\n'));
    expect(r).toEqual({ text: 'x\\x00y\nFAIL: 3 tests failed\n', hidden: 0, allBinary: false });
  });
  it('not UTF-8 reads as Latin-1', () => {
    expect(readable(Buffer.from('r\xe9sum\xe9\n', 'latin1')).text).toBe('résumé\n');
  });
  it('random bytes are binary as a whole (short "lines" in them too)', () => {
    // Seeded, so the run is the same every time (about 1 in 2,000 random buffers ends in a clean 4-byte "line").
    let x = 0x9e3779b9;
    const bytes = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        b[i] = x & 0xff;
      }
      return b;
    };
    for (let i = 0; i < 300; i++) expect(readable(bytes(20_000)).allBinary).toBe(true);
  });
  it('a run of binary lines is one note; the text after it stays', () => {
    const r = readable(Buffer.concat([crypto.randomBytes(4000), Buffer.from('\nFAIL: after\n')]));
    expect(r.text).toMatch(/^\[binary: [\d.]+ KiB not shown as text\]\nFAIL: after\n$/);
  });
});
