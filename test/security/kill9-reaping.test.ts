/**
 * Issue #12, case 13: after `kill -9` of the server, no task process outlives
 * it by more than 5 s, whatever the task does — pipes, nohup, setsid, ignored
 * signals, a cleared environment — and the first read after a restart already
 * tells the truth about the dead server's tasks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withArgs } from '../helpers/procs.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let seq = 0;
function token(): string {
  return `${6000 + (process.pid % 1000)}.${Date.now() % 100000}${++seq}`;
}

describe('kill -9 of the server', () => {
  it('reaps every task process within 5 s; the first task_status after a restart says failed', async () => {
    const tok = token();
    const s = await startServer({ set: { 'background.taskTimeout': '1h' } });
    const tasks: Array<[string, Record<string, unknown>]> = [
      ['pipes', { command: `sleep ${tok}1`, pty: false }],
      ['nohup, SIGHUP ignored', { command: `trap "" HUP; nohup sleep ${tok}2 >/dev/null 2>&1 & wait` }],
      ['setsid daemon', { command: `setsid sleep ${tok}3 & sleep ${tok}4` }],
      ['every signal it can ignore', { command: `trap "" TERM INT HUP QUIT USR1 USR2; sleep ${tok}5 & wait`, pty: false }],
      ['a cleared environment', { command: `env -i sleep ${tok}6 & wait` }],
    ];
    const ids: string[] = [];
    for (const [, args] of tasks) ids.push((await s.ok('bg_submit', args)).structuredContent.task_id);
    await waitFor(() => [1, 2, 3, 4, 5, 6].every((n) => withArgs(`sleep ${tok}${n}`).length > 0), 'every task process');

    // The table this run tests (npm run test:ps: ps), named in the registry so other processes compare start times of the same unit.
    const dir = path.join(s.dataDir, 'servers');
    const entries = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.process_table).toBe(process.env.BGBASH_PROCESS_TABLE === 'ps' ? 'ps' : 'proc');

    await s.crash();
    const killedAt = Date.now();
    await waitFor(() => withArgs(`sleep ${tok}`).length === 0, 'no task process left', 5000, 50);
    expect(Date.now() - killedAt).toBeLessThan(5000);

    // The very first call of a new server, before its start-up recovery ran.
    const b = await startServer({ dataDir: s.dataDir, ready: false });
    try {
      const first = await b.ok('task_status', { task_id: ids[0] });
      expect(first.structuredContent.task).toMatchObject({ state: 'failed', termination: { reason: 'server_lost' } });
      const list = await b.ok('task_list', {});
      for (const id of ids) expect(list.structuredContent.tasks.find((t: { id: string }) => t.id === id)).toMatchObject({ state: 'failed' });
    } finally {
      await b.close();
    }
  });
});
