/**
 * Crash repair run by the CLI (no server, so no server-side notifier) takes
 * the notifier's own path: the task it closes reaches its session's inbox and
 * its deliver_to targets, and the delivery is written into the record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { withArgs } from '../helpers/procs.js';
import { readRecord, startServer, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

it('a task closed by the CLI after a kill -9 of its server reaches its inbox and its deliver_to target', async () => {
  const out = path.join(tempDir('bgbash-repair-'), 'delivered.json');
  const tok = `${7000 + (process.pid % 1000)}.${Date.now() % 100000}`;
  const s = await startServer({ set: { 'background.taskTimeout': '1h' } });
  const id = (await s.ok('bg_submit', { command: `sleep ${tok}`, session: 'repair-1', deliver_to: [`command:cat > ${out}`] })).structuredContent.task_id;
  await waitFor(() => withArgs(`sleep ${tok}`).length > 0, 'the task process');
  await s.crash();
  // The watchdog ends the task; its record stays `running` under a dead, still registered server.
  await waitFor(() => withArgs(`sleep ${tok}`).length === 0, 'the task process to be reaped');
  expect(readRecord(s.dataDir, id).state).toBe('running');

  const r = await bgbash(s.dataDir, ['list']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`^${id}\\s+failed`, 'm'));
  // The same notice the server's own recovery would have stored…
  const inbox = path.join(s.dataDir, 'inbox', 'repair-1');
  const notices = fs.readdirSync(inbox).map((f) => JSON.parse(fs.readFileSync(path.join(inbox, f), 'utf8')));
  expect(notices).toEqual([expect.objectContaining({ task_id: id, kind: 'ended' })]);
  // …and its target got it before the command returned, with the outcome in the record.
  expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ task: { id, state: 'failed' } });
  expect(readRecord(s.dataDir, id)).toMatchObject({ state: 'failed', termination: { reason: 'server_lost' }, deliveries: [{ ok: true }] });
});
