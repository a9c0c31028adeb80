/**
 * #12 case 11: session names match [A-Za-z0-9._-]{1,64} and are never "." or
 * "..": a session name never puts an inbox file outside inbox/<session>/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startServer, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { controlRequest, serverSocket } from './planted.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s.close());

const ROOT_ENTRIES = ['inbox', 'run', 'servers', 'tasks'];

it('bg_submit refuses ".", "..", slashes and over-long names, naming session; no file lands outside the inbox', async () => {
  for (const session of ['..', '.', '../x', 'a/b', 'x'.repeat(65), '', 'tab\there']) {
    const r = await s.call('bg_submit', { command: 'echo hi', session });
    expect(r.isError, session).toBe(true);
    expect(text(r)).toMatch(/session/);
  }
  expect((await s.ok('task_list', {})).structuredContent.tasks).toEqual([]);
  // A good name works, and its notice (nobody saw the end) lands in inbox/<name>/ only.
  await s.ok('bg_submit', { command: 'echo hi', session: 'chat-7.a_b' });
  const inbox = path.join(s.dataDir, 'inbox', 'chat-7.a_b');
  await waitFor(() => fs.existsSync(inbox) && fs.readdirSync(inbox).some((f) => f.endsWith('.json')), 'the notice in inbox/chat-7.a_b/');
  expect(fs.readdirSync(s.dataDir).sort()).toEqual(ROOT_ENTRIES);
});

it('the control socket refuses to drain ".." ', async () => {
  const r = await controlRequest(serverSocket(s.dataDir), 'drain', { session: '..' });
  expect(r).toMatchObject({ ok: false, code: 'usage' });
  expect(r.error).toMatch(/not a session name/);
});
