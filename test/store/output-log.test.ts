import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputLog, readLogFile } from '../../src/store/output-log.js';

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
});
