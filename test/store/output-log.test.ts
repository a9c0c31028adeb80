import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputLog, readLogFile } from '../../src/store/output-log.js';
import { TailRing } from '../../src/store/tail-ring.js';

describe('OutputLog', () => {
  it('keeps a bounded tail in memory and everything on disk; reads span both', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-log-')), 'output.log');
    const log = new OutputLog(file, { maxBytes: 1 << 30, tailBytes: 1000 });
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const line = `line ${i}\n`;
      expected += line;
      log.append(Buffer.from(line));
    }
    expect(log.total).toBe(Buffer.byteLength(expected));
    expect((await log.read(0, log.total)).toString()).toBe(expected);
    expect((await log.read(10, 30)).toString()).toBe(expected.slice(10, 30));
    await log.close();
    expect((await readLogFile(file, 0, 1e9)).toString()).toBe(expected);
  });

  it('stops at the cap with a marker and counts what it dropped', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-log-')), 'output.log');
    const log = new OutputLog(file, { maxBytes: 100, tailBytes: 1000 });
    for (let i = 0; i < 10; i++) log.append(Buffer.alloc(30, 'x'));
    await log.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('x'.repeat(100))).toBe(true);
    expect(text).toContain('[bgbash: output reached the 100 B cap; the rest is dropped]');
    expect(log.dropped).toBe(200);
  });

  it('every byte a read returns is already in the file (a kill -9 right after cannot lose what the agent saw)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-log-'));
    const file = path.join(dir, 'output.log');
    const log = new OutputLog(file, { maxBytes: 1 << 30, tailBytes: 1 << 20 });
    for (let i = 0; i < 50; i++) {
      log.append(Buffer.from(`chunk ${i}\n`));
      const seen = await log.read(0, log.total);
      // Read synchronously, with no turn of the event loop in between.
      expect(fs.readFileSync(file).subarray(0, seen.length).equals(seen)).toBe(true);
      expect(fs.statSync(file).size).toBeGreaterThanOrEqual(seen.length);
    }
    await log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps no reference to a chunk: a reader may reuse its buffer right after append', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-log-'));
    const file = path.join(dir, 'output.log');
    // A tail smaller than the output: reads of the end come from the tail, of the start from the file.
    const log = new OutputLog(file, { maxBytes: 1 << 30, tailBytes: 5000 });
    const reused = Buffer.alloc(700);
    let expected = '';
    for (let i = 0; i < 600; i++) {
      const text = `${i} `.repeat(1 + (i % 150)).slice(0, 1 + ((i * 37) % 700));
      reused.write(text);
      log.append(reused.subarray(0, Buffer.byteLength(text)));
      reused.fill('#');
      expected += text;
    }
    expect((await log.read(log.total - 3000, log.total)).toString()).toBe(expected.slice(-3000));
    expect((await log.read(0, log.total)).toString()).toBe(expected);
    await log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expected);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('TailRing', () => {
  it('holds exactly the last bytes pushed, across wrap-arounds and growth', () => {
    const ring = new TailRing(10_000);
    let all = '';
    for (let i = 0; i < 3000; i++) {
      const piece = `<${i}>`.repeat(1 + (i % 97));
      ring.push(Buffer.from(piece));
      all = (all + piece).slice(-20_000);
      const held = all.slice(-10_000);
      expect(ring.length).toBe(held.length);
      if (i % 100 === 0) {
        expect(ring.slice(0, ring.length).toString()).toBe(held);
        expect(ring.slice(5, Math.min(ring.length, 2005)).toString()).toBe(held.slice(5, 2005));
      }
    }
    // A piece larger than the whole ring keeps its own end.
    const big = 'x'.repeat(9_000) + 'y'.repeat(3_000);
    ring.push(Buffer.from(big));
    expect(ring.slice(0, ring.length).toString()).toBe(big.slice(-10_000));
    ring.clear();
    expect(ring.length).toBe(0);
  });
});

