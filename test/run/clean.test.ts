import { describe, expect, it } from 'vitest';
import { cleanText, looksBinary, utf8Boundary } from '../../src/run/clean.js';
import { keyBytes } from '../../src/run/keys.js';

describe('cleanText', () => {
  it('removes ANSI escapes', () => {
    expect(cleanText('\x1b[32m✓ ok\x1b[0m\x1b[K')).toBe('✓ ok');
  });
  it('collapses carriage-return progress bars to their last state', () => {
    expect(cleanText('\r 10%\r 50%\r100%\nDone\n')).toBe('100%\nDone\n');
  });
  it('turns CRLF into LF', () => {
    expect(cleanText('a\r\nb\r\n')).toBe('a\nb\n');
  });
  it('applies backspaces and drops other control bytes', () => {
    expect(cleanText('abc\b\bX\x07')).toBe('aX');
  });
});

describe('binary detection', () => {
  it('flags NUL bytes and random bytes, not text', () => {
    expect(looksBinary(Buffer.from([0x41, 0x00, 0x42]))).toBe(true);
    expect(looksBinary(Buffer.from('plain text\nwith ünïcödé ✓\n'))).toBe(false);
    expect(looksBinary(Buffer.from('\x1b[31mred\x1b[0m\r\n'))).toBe(false);
  });
});

describe('utf8Boundary', () => {
  it('never splits a multi-byte character', () => {
    const b = Buffer.from('a✓b'); // ✓ is 3 bytes at 1..3
    expect(utf8Boundary(b, 2)).toBe(1);
    expect(utf8Boundary(b, 4)).toBe(4);
  });
});

describe('keys', () => {
  it('maps names to terminal bytes', () => {
    expect(keyBytes('enter')).toBe('\r');
    expect(keyBytes('ctrl-c')).toBe('\x03');
    expect(keyBytes('Ctrl+D')).toBe('\x04');
    expect(keyBytes('up')).toBe('\x1b[A');
    expect(keyBytes('hyper-x')).toBeNull();
  });
});
