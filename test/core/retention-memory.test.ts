/**
 * The daemon runs for weeks: when retention removes ended tasks' records, the
 * server forgets them too, so its task table holds no more than retention
 * keeps on disk. In-process runtime, real shell processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/server-runtime.js';
import { baseEnv, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let rt: Runtime;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  const env = { ...baseEnv(), BGBASH_DATA_DIR: path.join(dir, 'data') };
  rt = await startRuntime(loadConfig({ env, cwd: dir, overrides: { 'retention.maxTasks': '3' } }));
});
afterAll(async () => {
  await rt.stop('test over');
});

describe('retention and the task table', () => {
  it('tasks whose records retention removed leave the table; the kept ones and a running one stay', async () => {
    const ended: string[] = [];
    for (let i = 0; i < 6; i++) ended.push((await rt.manager.submit({ command: `echo ${i}`, session: 'one', cwd: dir })).id);
    await waitFor(() => ended.every((id) => rt.manager.isSettled(id)), 'six tasks to end');
    const running = (await rt.manager.submit({ command: 'sleep 30', session: 'one', cwd: dir })).id;
    expect(rt.manager.own()).toHaveLength(7);

    rt.pruneNow();
    const kept = [running, ended[5], ended[4]];
    expect(rt.manager.own().map((t) => t.id)).toEqual(kept);
    expect(fs.readdirSync(path.join(dir, 'data', 'tasks')).sort()).toEqual([...kept].sort());
    expect(() => rt.manager.get(ended[0])).toThrow(/no task/);
    expect(rt.manager.get(running).state).toBe('running');
    rt.manager.cancel(running);
  });
});
