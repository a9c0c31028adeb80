/**
 * #12 case 2: task ids are `#?<digits>` (or a unique digit prefix) in MCP,
 * CLI and control socket; numbers mean the same. An id that climbs out of
 * tasks/ reaches no record: nothing planted elsewhere is read or re-run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { controlRequest, endedRecord, plantRecord, serverSocket } from './planted.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let s: TestServer;
let root: string;
let dataDir: string;
let pwned: string;
beforeAll(async () => {
  root = tempDir();
  dataDir = path.join(root, 'd', 'data');
  pwned = path.join(root, 'pwned');
  // A record outside the data dir: tasks/ + ../../../evil = <root>/evil
  plantRecord(path.join(root, 'evil'), endedRecord({ id: '1', command: `touch ${pwned}`, cwd: root, env: { EVIL: '1' } }));
  s = await startServer({ dataDir });
  await s.ok('bash', { command: 'echo one' });
});
afterAll(async () => s.close());

const CLIMBS = ['../../../evil', '1/../1', '#1/..', '/etc', '1 ', '..', '1e0'];

describe('MCP', () => {
  it('task_retry/task_status/task_output/task_cancel refuse ids that are not digits, naming task_id', async () => {
    for (const id of CLIMBS.filter((c) => c.trim() !== '1')) {
      for (const tool of ['task_retry', 'task_status', 'task_output', 'task_cancel']) {
        const r = await s.call(tool, { task_id: id });
        expect(r.isError, `${tool} ${id}`).toBe(true);
        expect(text(r)).toMatch(/task_id/);
      }
    }
    // Nothing ran: no file, and only task 1 exists.
    const list = await s.ok('task_list', {});
    expect(list.structuredContent.tasks.map((t: { id: string }) => t.id)).toEqual(['1']);
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it('a number is accepted and means the same as its digits (and "#1")', async () => {
    const byNumber = await s.ok('task_status', { task_id: 1 });
    const byText = await s.ok('task_status', { task_id: '#1' });
    expect(byNumber.structuredContent.task.id).toBe('1');
    expect(byNumber.structuredContent.task).toEqual(byText.structuredContent.task);
    const out = await s.ok('task_output', { task_id: 1 });
    expect(out.structuredContent.output).toContain('one');
    const retried = await s.ok('task_retry', { task_id: 1 });
    expect(retried.structuredContent.task_id).toBe('2');
    expect((await s.call('task_status', { task_id: 1.5 })).isError).toBe(true);
    expect((await s.call('task_status', { task_id: -1 })).isError).toBe(true);
  });
});

describe('CLI and control socket', () => {
  it('bgbash status/retry refuse a climbing id with a usage error; the planted record is never read', async () => {
    for (const id of ['../../../evil', '1/../1']) {
      const st = await bgbash(dataDir, ['status', id]);
      expect(st.code).toBe(2);
      expect(st.stderr).toMatch(/is not a task id/);
      const rt = await bgbash(dataDir, ['retry', id]);
      expect(rt.code).toBe(2);
    }
    expect(fs.existsSync(pwned)).toBe(false);
  });

  it('the control socket refuses them too, and takes a number', async () => {
    const sock = serverSocket(dataDir);
    for (const verb of ['retry', 'status', 'cancel', 'read']) {
      const r = await controlRequest(sock, verb, { id: '../../../evil', start: 0, end: 10 });
      expect(r).toMatchObject({ ok: false, code: 'usage' });
      expect(r.error).toMatch(/is not a task id/);
    }
    const r = await controlRequest(sock, 'status', { id: 1 });
    expect(r.ok).toBe(true);
    expect(r.result.task.id).toBe('1');
    // read: byte offsets only, and never more than it has.
    for (const [start, end] of [[-1, 5], [0, 'x'], [1.5, 4], [2 ** 60, 2 ** 61]] as const) {
      const bad = await controlRequest(sock, 'read', { id: 1, start, end });
      expect(bad).toMatchObject({ ok: false, code: 'usage' });
      expect(bad.error).toMatch(/must be a byte offset/);
    }
    const read = await controlRequest(sock, 'read', { id: 1, start: 0, end: 1e12 });
    expect(read.ok).toBe(true);
    expect(Buffer.from(read.result.data, 'base64').length).toBe((await controlRequest(sock, 'status', { id: 1 })).result.task.output_bytes);
    expect(fs.existsSync(pwned)).toBe(false);
    await s.ok('task_list', {});
  });
});
