/**
 * Issue 26, item 4: one stray byte must not hide the text around it. Real
 * server, real SDK client, real commands under a pty and over pipes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s.close();
});

describe.each([true, false])('pty: %s', (pty) => {
  it('a NUL in one line: the line shows with the byte spelled out, the failure lines show', async () => {
    const r = await s.call('bash', { command: "printf 'x\\0y\\n'; echo 'FAIL: 3 tests failed'; exit 1", pty });
    const out = r.structuredContent.output;
    expect(out).toContain('FAIL: 3 tests failed');
    expect(out).toContain('x\\x00y');
    expect(out).not.toMatch(/binary/);
    const id = r.structuredContent.task_id;
    const grep = await s.ok('task_output', { task_id: id, grep: 'FAIL' });
    expect(grep.structuredContent.output).toMatch(/^2: FAIL: 3 tests failed$/);
    const tail = await s.ok('task_output', { task_id: id, tail: 1 });
    expect(tail.structuredContent.output).toMatch(/\nFAIL: 3 tests failed$/);
    expect(tail.structuredContent.output).not.toContain('x\\x00y');
  });

  it('Latin-1 text reads as text', async () => {
    const r = await s.call('bash', { command: "printf 'r\\351sum\\351 of the run\\nFAILED: 2 tests\\n'; exit 1", pty });
    expect(r.structuredContent.output).toBe('résumé of the run\nFAILED: 2 tests');
    const grep = await s.ok('task_output', { task_id: r.structuredContent.task_id, grep: 'r.sum' });
    expect(grep.structuredContent.output).toBe('1: résumé of the run');
  });

  it('binary bytes then a failure line: the bytes are summarised, the line is shown and found by grep', async () => {
    const r = await s.call('bash', { command: "head -c 20000 /dev/urandom; echo; echo 'FAIL: after the bytes'; exit 1", pty });
    const out: string = r.structuredContent.output;
    expect(out).toMatch(/\[binary: [\d.]+ KiB not shown as text\]/);
    expect(out).toMatch(/FAIL: after the bytes$/);
    expect(Buffer.byteLength(out)).toBeLessThan(17_000);
    const id = r.structuredContent.task_id;
    const grep = await s.ok('task_output', { task_id: id, grep: 'FAIL' });
    expect(grep.structuredContent.output).toMatch(/^\d+: FAIL: after the bytes$/m);
    const tail = await s.ok('task_output', { task_id: id, tail: 3 });
    expect(tail.structuredContent.output).toMatch(/FAIL: after the bytes$/);
    expect(tail.structuredContent.binary).toBe(true);
  });
});
