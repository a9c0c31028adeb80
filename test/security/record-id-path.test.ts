/**
 * #12 case 1: a record's `id` is never used as a path. A planted record whose
 * id climbs out of the data dir must not make retention delete anything
 * outside; the bad record is reported and left alone, and the server answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { endedRecord, plantRecord } from './planted.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let s: TestServer | undefined;
afterAll(async () => s?.close());

it('start-up retention removes only tasks/<digits>/ dirs of good records, never what a record id points at', async () => {
  const root = tempDir();
  const dataDir = path.join(root, 'a', 'data');
  const victim = path.join(root, 'victim-dir');
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(victim, 'precious.txt'), 'keep me');
  // tasks/ + ../../../victim-dir = <root>/victim-dir
  const bad = plantRecord(path.join(dataDir, 'tasks', '1'), endedRecord({ id: '../../../victim-dir' }));
  // A good record that ended long ago: retention must remove it (proves retention ran).
  plantRecord(path.join(dataDir, 'tasks', '2'), endedRecord({ id: '2' }));
  // A directory that is not a task id, holding an old record with a matching id: not ours, left alone.
  plantRecord(path.join(dataDir, 'tasks', 'notes'), endedRecord({ id: 'notes' }));

  s = await startServer({ dataDir });
  expect(fs.existsSync(path.join(dataDir, 'tasks', '2'))).toBe(false);
  expect(fs.readFileSync(path.join(victim, 'precious.txt'), 'utf8')).toBe('keep me');
  expect(fs.existsSync(bad)).toBe(true);
  expect(fs.existsSync(path.join(dataDir, 'tasks', 'notes', 'record.json'))).toBe(true);
  await waitFor(() => s!.stderr().includes(`skipped the task record ${bad}`), 'the bad record reported on stderr');

  // The server keeps answering, and its new task does not reuse a planted id.
  const r = await s.ok('bash', { command: 'echo fine' });
  expect(r.structuredContent).toMatchObject({ task_id: '3', state: 'done' });
  // The CLI skips the bad record too, says so, and lists the rest.
  const list = await bgbash(dataDir, ['list', '--json']);
  expect(list.code).toBe(0);
  expect(JSON.parse(list.stdout).map((t: { id: string }) => t.id)).toEqual(['3']);
  expect(list.stderr).toContain(`skipped the task record ${bad}`);
});
