/**
 * #12 case 10: in pipe mode (`pty: false`) the child writes its log file
 * itself; the output cap must still be exact. The log holds exactly the cap's
 * worth of what the command printed, then the marker; no line is spliced; the
 * file is never over the cap (plus the marker) while the command runs, even
 * when the server is slow to follow; output_dropped is exactly what was
 * printed past the cap.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecord, startServer, type TestServer } from '../helpers/server.js';

const LINE = 'abcdefghijklmnopqrstuvwxyz0123456789\n';
const MARKER = (cap: string): string => `\n[bgbash: output reached the ${cap} cap; the rest is dropped]\n`;

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Runs `yes LINE | head -c total` in pipe mode, sampling the log's size while it runs. */
async function printThroughCap(total: number, set: Record<string, string> = {}): Promise<{ rec: any; log: Buffer; maxSize: number; result: any }> {
  server = await startServer({ set });
  const s = server;
  const started = await s.ok('bash', { command: `yes ${LINE.trim()} | head -c ${total}; echo to-stderr >&2`, pty: false, background: true });
  const id = started.structuredContent.task_id;
  const file = path.join(s.dataDir, 'tasks', id, 'output.log');
  let maxSize = 0;
  const sample = setInterval(() => {
    try {
      maxSize = Math.max(maxSize, fs.statSync(file).size);
    } catch {
      /* not there yet */
    }
  }, 1);
  try {
    const result = (await s.ok('task_status', { task_id: id, wait: 60 })).structuredContent;
    return { rec: readRecord(s.dataDir, id), log: fs.readFileSync(file), maxSize, result };
  } finally {
    clearInterval(sample);
  }
}

function expectExactCap(got: { rec: any; log: Buffer }, cap: number, capText: string, total: number): void {
  const marker = MARKER(capText);
  const kept = got.log.subarray(0, cap).toString('latin1');
  // Exactly the first `cap` bytes of what was printed: no splice, no gap.
  const expected = LINE.repeat(Math.ceil(cap / LINE.length)).slice(0, cap);
  expect(kept.length).toBe(cap);
  expect(kept === expected, 'the kept bytes are exactly the first cap bytes printed').toBe(true);
  expect(got.log.subarray(cap).toString('latin1')).toBe(marker);
  expect(got.rec.output_dropped).toBe(total - cap);
  expect(got.rec.state).toBe('done');
}

describe('pipe-mode output cap (#12 case 10)', () => {
  it('at the default 64 MiB cap: exact prefix, marker, output_dropped, and the log never past the cap', async () => {
    const cap = 64 * 1024 * 1024;
    const total = 300_000_000;
    const got = await printThroughCap(total);
    expectExactCap(got, cap, '64.0 MiB', total);
    expect(got.maxSize).toBeLessThanOrEqual(cap + MARKER('64.0 MiB').length);
    expect(fs.readFileSync(path.join(server!.dataDir, 'tasks', got.rec.id, 'stderr.log'), 'utf8')).toBe('to-stderr\n');
    // No scratch file is left beside the logs.
    expect(fs.readdirSync(path.join(server!.dataDir, 'tasks', got.rec.id)).sort()).toEqual(['output.log', 'record.json', 'stderr.log']);
  }, 120_000);

  it('at a small cap the log is cut from the first byte on', async () => {
    const cap = 100 * 1024;
    const total = 20_000_000;
    const got = await printThroughCap(total, { 'output.maxBytes': '100KiB' });
    expectExactCap(got, cap, '100.0 KiB', total);
    expect(got.maxSize).toBeLessThanOrEqual(cap + MARKER('100.0 KiB').length);
  }, 60_000);
});
