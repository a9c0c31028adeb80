/**
 * Dev servers and watchers (issue 22) through the real SDK client, with a real
 * HTTP server that prints nothing: started once and found again (one process,
 * ps), its port in every view, until_listening, clashes explained (a bgbash
 * task, a foreign process), restart, cancel by name frees the port, and every
 * process ends with its server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { withArgs } from '../helpers/procs.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { baseEnv, CLI, fixture, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const DEV = fixture('dev-server.mjs');

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The server processes themselves (not the shell that started one). */
const nodes = (token: string): ReturnType<typeof withArgs> => withArgs(token).filter((r) => r.args.startsWith('node '));

/** Nothing listens there any more (a closing socket may still reset a connection for a moment). */
const refused = (port: number): Promise<boolean> => get(port).then(() => false, (err: Error) => /ECONNREFUSED/.test(err.message));

let s: TestServer;
let repo: string;
beforeAll(async () => {
  repo = tempDir('bgbash-devsrv-');
  fs.mkdirSync(path.join(repo, '.git'));
  fs.mkdirSync(path.join(repo, 'web'));
  s = await startServer({ cwd: repo, clientName: 'claude-code' });
});
afterAll(async () => {
  await s?.close();
});

describe('a dev server', () => {
  let port: number;
  let id: string;

  it('until_listening returns once it listens (it prints nothing), with its port; reuse finds it again: one process', async () => {
    port = await freePort();
    const args = { command: `node ${DEV} ${port} 300`, name: 'web', persistent: true, reuse: true, until_listening: true, yield_after: 30 };
    const r = await s.ok('bash', args);
    expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'listening', ports: [port], output: '' });
    expect(text(r)).toContain(`http://localhost:${port}`);
    id = r.structuredContent.task_id;
    expect(await get(port)).toMatch(/^dev server \d+/);

    // Again, from a subdirectory of the same project: the same task, nothing started.
    const again = await s.ok('bash', { ...args, cwd: path.join(repo, 'web') });
    expect(again.structuredContent).toMatchObject({ task_id: id, reused: true, state: 'running', ports: [port] });
    expect(text(again)).toMatch(new RegExp(`Reused: task #${id} "web" is already running .*persistent.*http://localhost:${port}`));
    const viaSubmit = await s.ok('bg_submit', { command: `node ${DEV} ${port}`, name: 'web', reuse: true });
    expect(viaSubmit.structuredContent).toMatchObject({ task_id: id, reused: true });
    expect(nodes(`${DEV} ${port}`)).toHaveLength(1);
  });

  it('its port shows in task_status, task_list and bgbash list; it is marked persistent', async () => {
    const st = await s.ok('task_status', { task_id: id });
    expect(st.structuredContent.task).toMatchObject({ persistent: true, ports: [port], timeout_ms: 0 });
    expect(text(st)).toContain(`Ports: http://localhost:${port}`);
    expect(text(st)).toMatch(/Persistent: yes/);
    const list = await s.ok('task_list', {});
    expect(list.structuredContent.tasks.find((t: { id: string }) => t.id === id)).toMatchObject({ persistent: true, ports: [port] });
    expect(text(list)).toMatch(new RegExp(`#${id} running — web — .* — persistent — http://localhost:${port}`));
    const cli = await bgbash(s.dataDir, ['list']);
    expect(cli.stdout).toMatch(/PORTS/);
    expect(cli.stdout).toMatch(new RegExp(`^${id}\\s+running\\+\\s.*\\s${port}\\s*$`, 'm'));
    expect(cli.stdout).toContain('+ persistent');
  });

  it('a second server on its port fails, and the result and the notice name the task that holds it', async () => {
    const fg = await s.call('bash', { command: `node ${DEV} ${port}` });
    expect(fg.structuredContent).toMatchObject({ state: 'failed', exit_code: 1 });
    const clash = `port ${port} is held by task ${id} (\`node ${DEV} ${port} 300\`, persistent, started`;
    expect(fg.structuredContent.port_clash).toContain(clash);
    expect(fg.structuredContent.port_clash).toMatch(/ago by claude-code in .*: reuse it \(name `web`, reuse: true\) or cancel it/);
    expect(text(fg)).toContain(clash);

    const bg = await s.ok('bash', { command: `node ${DEV} ${port}`, background: true });
    const notice = await waitFor(async () => (await s.ok('task_list', { limit: 1 })).structuredContent.notices?.find((n: { task_id: string }) => n.task_id === bg.structuredContent.task_id), 'the notice');
    expect(notice.text).toContain(clash);
  });

  it('a clash with a process that is not a bgbash task names its pid and command', async () => {
    const foreign = http.createServer((_q, r) => r.end());
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    const fport = (foreign.address() as AddressInfo).port;
    try {
      const r = await s.call('bash', { command: `node ${DEV} ${fport}` });
      expect(r.structuredContent.state).toBe('failed');
      expect(r.structuredContent.port_clash).toMatch(new RegExp(`port ${fport} is held by pid ${process.pid} \\(\`[^\`]*node[^\`]*\`\\), not a bgbash task`));
    } finally {
      await new Promise((r) => foreign.close(r));
    }
  });

  it('task_retry restarts it: the old process is gone before the new one takes the same port', async () => {
    const before = await get(port);
    const r = await s.ok('task_retry', { task_id: id });
    expect(text(r)).toMatch(/^Restarted: task #\d+ is re-run as task #\d+/m);
    const next = r.structuredContent.task_id;
    expect(r.structuredContent.retry_of).toBe(id);
    const old = (await s.ok('task_status', { task_id: id })).structuredContent.task;
    expect(old).toMatchObject({ state: 'cancelled', termination: { reason: 'cancelled', by: 'agent' } });
    const st = await waitFor(async () => {
      const t = (await s.ok('task_status', { task_id: next })).structuredContent.task;
      return t.ports.length ? t : null;
    }, 'the restarted server to listen');
    expect(st).toMatchObject({ state: 'running', name: 'web', persistent: true, ports: [port], retry_of: id });
    expect(await get(port)).not.toBe(before);
    expect(nodes(`${DEV} ${port}`)).toHaveLength(1);
    id = next;
  });

  it('bgbash cancel web: by name; the port is free after', async () => {
    const c = await bgbash(s.dataDir, ['cancel', 'web']);
    expect(c).toMatchObject({ code: 0, stdout: `Cancelled: ${id} (web)\n` });
    await waitFor(() => withArgs(`${DEV} ${port}`).length === 0, 'the server process to end');
    await waitFor(() => refused(port), 'the port to be free');
    expect(await bgbash(s.dataDir, ['cancel', 'web'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/no live task named "web"/) });
  });

  it('bgbash cancel by a name two live tasks share lists them and cancels neither', async () => {
    const a = await s.ok('bash', { command: 'sleep 600', name: 'twin', background: true });
    const b = await s.ok('bash', { command: 'sleep 601', name: 'twin', background: true });
    const c = await bgbash(s.dataDir, ['cancel', 'twin']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/2 live tasks are named "twin"; cancel one by its id/);
    expect(c.stderr).toContain(`${a.structuredContent.task_id}  running  sleep 600`);
    expect(c.stderr).toContain(`${b.structuredContent.task_id}  running  sleep 601`);
    for (const t of [a, b]) await s.ok('task_cancel', { task_id: t.structuredContent.task_id });
  });

  it("finds the port of a server that left the task's tree and session (setsid -f): it is in the task's cgroup", async () => {
    const p = await freePort();
    const r = await s.ok('bash', { command: `setsid -f node ${DEV} ${p} >/dev/null 2>&1 </dev/null; sleep 600`, until_listening: true, yield_after: 20 });
    expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'listening', ports: [p] });
    await s.ok('task_cancel', { task_id: r.structuredContent.task_id });
    await waitFor(() => refused(p), 'the escaped server to end with its task');
  });

  it('until_listening also returns when the command ends first, or when yield_after passes', async () => {
    const ended = await s.call('bash', { command: 'echo no server here; exit 3', until_listening: true });
    expect(ended.structuredContent).toMatchObject({ state: 'failed', exit_code: 3, detached: null });
    const slow = await s.ok('bash', { command: 'sleep 60', until_listening: true, yield_after: 0.5 });
    expect(slow.structuredContent).toMatchObject({ state: 'running', detached: 'yield' });
    expect(slow.structuredContent.ports).toBeUndefined();
    await s.ok('task_cancel', { task_id: slow.structuredContent.task_id });
  });

  it('refuses reuse without a name and until_listening in the background', async () => {
    const r = await s.call('bash', { command: 'true', reuse: true });
    expect(text(r)).toMatch(/reuse needs a name/);
    const b = await s.call('bash', { command: 'true', until_listening: true, background: true });
    expect(text(b)).toMatch(/until_listening is for a foreground call/);
    const p = await s.call('bg_submit', { prompt: 'watch the logs', persistent: true });
    expect(text(p)).toMatch(/persistent goes with command/);
    const w = await s.ok('bg_submit', { command: 'sleep 600', persistent: true });
    expect(text(w)).toMatch(/\(running, persistent: it outlives this session\): sleep 600/);
    expect((await s.ok('task_status', { task_id: w.structuredContent.task_id })).structuredContent.task).toMatchObject({ persistent: true, timeout_ms: 0 });
    await s.ok('task_cancel', { task_id: w.structuredContent.task_id });
  });
});

describe('when the session ends', () => {
  it('a persistent task outlives it and the next session finds it again; a non-persistent one ends with it; daemon stop ends the rest', async () => {
    const own = await startServer({ cwd: repo });
    const port = await freePort();
    const web = await own.ok('bash', { command: `node ${DEV} ${port}`, name: 'web', persistent: true, until_listening: true });
    await own.ok('bash', { command: `node ${DEV} 0`, name: 'plain', until_listening: true });
    expect(nodes(DEV).length).toBeGreaterThanOrEqual(2);
    await own.close();
    // The session is gone: its plain task with it, the dev server still answers.
    await waitFor(() => nodes(DEV).length === 1, 'the non-persistent server to end');
    expect(await get(port)).toBeTruthy();
    // A new session in the same project asks for it by name: the same task, one process.
    const next = await startServer({ dataDir: own.dataDir, cwd: repo });
    const again = await next.ok('bash', { command: `node ${DEV} ${port}`, name: 'web', persistent: true, reuse: true, until_listening: true });
    expect(again.structuredContent).toMatchObject({ task_id: web.structuredContent.task_id, reused: true, ports: [port] });
    expect(nodes(`${DEV} ${port}`)).toHaveLength(1);
    await next.close();
    expect(await get(port)).toBeTruthy();
    const stop = await bgbash(own.dataDir, ['daemon', 'stop']);
    expect(stop.stdout).toMatch(/stopped daemon/);
    await waitFor(() => nodes(DEV).length === 0, 'every dev server to end');
    await waitFor(() => refused(port), 'the port to be free');
  });
});

describe('the daemon killed with -9', () => {
  it('leaves no persistent task running (its watchdog ends them)', async () => {
    const own = await startServer({ cwd: repo });
    const port = await freePort();
    await own.ok('bash', { command: `node ${DEV} ${port}`, name: 'web', persistent: true, until_listening: true });
    expect(nodes(`${DEV} ${port}`)).toHaveLength(1);
    await own.crash();
    await waitFor(() => nodes(`${DEV} ${port}`).length === 0, 'the dev server to end with its daemon');
    await waitFor(() => refused(port), 'the port to be free');
    await own.close().catch(() => undefined);
  });
});

describe('two agent sessions of one server (HTTP)', () => {
  it("the second finds the first's persistent server, not its other tasks, and is told when the server ends", async () => {
    const dir = tempDir();
    const proc = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--data-dir', dir], { env: baseEnv(), stdio: ['ignore', 'ignore', 'pipe'], cwd: repo });
    try {
      const info = await waitFor(() => {
        const files = fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : [];
        const parsed = files.length ? JSON.parse(fs.readFileSync(path.join(dir, 'servers', files[0]), 'utf8')) : null;
        return parsed?.http ? parsed : null;
      }, 'the HTTP server to start');
      const token = fs.readFileSync(path.join(dir, 'run', `${info.id}.http-token`), 'utf8').trim();
      const connect = async (name: string): Promise<Client> => {
        const c = new Client({ name, version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(info.http), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        return c;
      };
      const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<any> => c.callTool({ name, arguments: args });
      const one = await connect('agent-one');
      const two = await connect('agent-two');
      const port = await freePort();
      const web = await call(one, 'bash', { command: `node ${DEV} ${port}`, name: 'web', persistent: true, reuse: true, until_listening: true });
      expect(web.structuredContent).toMatchObject({ detached: 'listening', ports: [port] });
      const job = await call(one, 'bash', { command: 'sleep 600', name: 'job', background: true });

      const listed = (await call(two, 'task_list', {})).structuredContent.tasks.map((t: { id: string }) => t.id);
      expect(listed).toContain(web.structuredContent.task_id);
      expect(listed).not.toContain(job.structuredContent.task_id);
      const reused = await call(two, 'bash', { command: `node ${DEV} ${port}`, name: 'web', persistent: true, reuse: true, until_listening: true });
      expect(reused.structuredContent).toMatchObject({ task_id: web.structuredContent.task_id, reused: true, ports: [port] });
      expect(nodes(`${DEV} ${port}`)).toHaveLength(1);

      await call(one, 'task_cancel', { task_id: web.structuredContent.task_id });
      const notice = await waitFor(
        async () => (await call(two, 'task_list', { limit: 1 })).structuredContent.notices?.find((n: { task_id: string }) => n.task_id === web.structuredContent.task_id),
        "session two's notice",
      );
      expect(notice.text).toMatch(new RegExp(`^\\[Task #${web.structuredContent.task_id} cancelled\\] web`));
      await call(one, 'task_cancel', { task_id: job.structuredContent.task_id });
      await one.close();
      await two.close();
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    expect(withArgs(DEV)).toEqual([]);
  });
});
