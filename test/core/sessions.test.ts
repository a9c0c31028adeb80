/**
 * Sessions and dev servers at the TaskManager level (issue 22), with real
 * processes and real sockets: a session's end cancels its own non-persistent
 * tasks and leaves persistent ones; a persistent task has no default timeout;
 * ports come from the task's own process tree; a restart frees the port
 * before the new run takes it.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { projectRoot } from '../../src/core/project.js';
import { reusableFor } from '../../src/core/session-tasks.js';
import { startRuntime, type Runtime } from '../../src/server-runtime.js';
import { baseEnv, fixture, tempDir } from '../helpers/server.js';
import { alive, withArgs } from '../helpers/procs.js';
import { waitFor } from '../helpers/wait.js';

let rt: Runtime;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  const env = { ...baseEnv(), BGBASH_DATA_DIR: path.join(dir, 'data') };
  rt = await startRuntime(loadConfig({ env, cwd: dir }));
});
afterAll(async () => {
  await rt.stop('test over');
});

const get = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });

/** Nothing listens there any more (a closing socket may still reset a connection for a moment). */
const refused = (port: number): Promise<boolean> => get(port).then(() => false, (err: Error) => /ECONNREFUSED/.test(err.message));

describe('a session ends', () => {
  it('its non-persistent tasks are cancelled, its persistent ones run on; other sessions are untouched', async () => {
    const tok = `h22-${process.pid}-${Date.now()}`;
    const a1 = await rt.manager.submit({ command: `sleep 301; : ${tok}a1`, session: 'one', cwd: dir });
    const a2 = await rt.manager.submit({ command: `sleep 302; : ${tok}a2`, session: 'one', cwd: dir, persistent: true });
    const b1 = await rt.manager.submit({ command: `sleep 303; : ${tok}b1`, session: 'two', cwd: dir });
    await waitFor(() => withArgs(tok).length >= 3, 'three sleeps');
    const ended = rt.manager.endSession('one', 'the agent session ended');
    expect(ended.map((t) => t.id)).toEqual([a1.id]);
    await rt.manager.processGone(a1.id);
    expect(rt.manager.get(a1.id)).toMatchObject({ state: 'cancelled', termination: { reason: 'cancelled', by: 'session end' } });
    expect(withArgs(`${tok}a1`)).toEqual([]);
    expect(rt.manager.get(a2.id).state).toBe('running');
    expect(rt.manager.get(b1.id).state).toBe('running');
    expect(withArgs(`${tok}a2`)).toHaveLength(1);
    rt.manager.cancel(a2.id);
    rt.manager.cancel(b1.id);
    await Promise.all([rt.manager.processGone(a2.id), rt.manager.processGone(b1.id)]);
    expect(withArgs(tok)).toEqual([]);
  });

  it('a persistent task gets no default timeout; an explicit one still applies', async () => {
    const p = await rt.manager.submit({ command: 'sleep 30', session: 'one', cwd: dir, persistent: true });
    expect(p).toMatchObject({ persistent: true, timeout_ms: 0 });
    const q = await rt.manager.submit({ command: 'sleep 30', session: 'one', cwd: dir, persistent: true, timeout_ms: 300 });
    await rt.manager.processGone(q.id);
    expect(rt.manager.get(q.id)).toMatchObject({ state: 'failed', termination: { reason: 'timeout' } });
    expect(rt.manager.get(p.id).state).toBe('running');
    const n = await rt.manager.submit({ command: 'sleep 30', session: 'one', cwd: dir });
    expect(n.timeout_ms).toBe(rt.config.background.taskTimeout);
    rt.manager.cancel(p.id);
    rt.manager.cancel(n.id);
    await Promise.all([rt.manager.processGone(p.id), rt.manager.processGone(n.id)]);
  });
});

describe('ports, reuse and restart', () => {
  it('finds the port from its own processes, finds it again by name in the project, and a restart frees the port first', async () => {
    const repo = path.join(dir, 'app');
    fs.mkdirSync(path.join(repo, '.git', 'x'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'web', 'src'), { recursive: true });
    expect(projectRoot(path.join(repo, 'web', 'src'))).toBe(repo);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-h22-other-'));
    try {
      expect(projectRoot(other)).toBe(other);
      // The shell, then node: the port is found in the tree, not on the first process.
      const t = await rt.manager.submit({ command: `node ${fixture('dev-server.mjs')} 0 300`, session: 'one', cwd: path.join(repo, 'web'), name: 'web', persistent: true });
      expect(t.project).toBe(repo);
      const ports = await waitFor(() => (rt.manager.ports(t.id).length ? rt.manager.ports(t.id) : null), 'a port');
      expect(ports).toHaveLength(1);
      expect(await get(ports[0])).toMatch(/^dev server \d+/);
      // Found from anywhere in the project, by another session; not from another directory.
      expect(reusableFor(rt.config, rt.manager.own(), 'web', { command: 'x', cwd: path.join(repo, 'web', 'src') })?.id).toBe(t.id);
      expect(reusableFor(rt.config, rt.manager.own(), 'web', { command: 'x', cwd: other })).toBeNull();
      expect(reusableFor(rt.config, rt.manager.own(), 'api', { command: 'x', cwd: repo })).toBeNull();
      // The record carries them (what bgbash list and the Tasks page show).
      await waitFor(() => (rt.manager.get(t.id) as { ports?: number[] }).ports?.[0] === ports[0], 'ports in the record');

      const pidBefore = Number((await get(ports[0])).split(' ')[2]);
      const again = await rt.manager.retry(t.id, 'agent');
      expect(again).toMatchObject({ retry_of: t.id, name: 'web', persistent: true, cwd: path.join(repo, 'web') });
      expect(rt.manager.get(t.id)).toMatchObject({ state: 'cancelled' });
      expect(alive([pidBefore])).toEqual([]);
      const newPorts = await waitFor(() => (rt.manager.ports(again.id).length ? rt.manager.ports(again.id) : null), 'the new port');
      expect(Number((await get(newPorts[0])).split(' ')[2])).not.toBe(pidBefore);
      rt.manager.cancel(again.id);
      await rt.manager.processGone(again.id);
      await waitFor(() => refused(newPorts[0]), 'the port to be free');
      expect(rt.manager.ports(again.id)).toEqual([]);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
