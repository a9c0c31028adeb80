/**
 * One daemon per user and data dir owns every agent session's tasks: several
 * `bgbash serve` front-ends (real SDK clients, real processes) share one
 * budget fairly, keep their own environments, and end — or crash — without
 * touching each other's work or leaving a process behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { withArgs } from '../helpers/procs.js';
import { serveRaw } from '../helpers/raw-rpc.js';
import { daemonLogPath } from '../../src/daemon/wire.js';
import { baseEnv, CLI, daemonOf, readRecord, tempDir, text } from '../helpers/server.js';
import { closeSessions, gated, openGate, session, state } from '../helpers/sessions.js';
import { waitFor } from '../helpers/wait.js';

afterEach(closeSessions);

describe('one daemon, one budget', () => {
  it('two sessions share background.maxConcurrentTasks, and a freed slot goes to the session with fewer running', async () => {
    const gates = tempDir('bgbash-gates-');
    const a = await session({ set: { 'background.maxConcurrentTasks': 2 } });
    const b = await session({ dataDir: a.dataDir });
    expect(daemonOf(a.dataDir)).not.toBeNull();
    const ids: string[] = [];
    for (const n of ['a1', 'a2', 'a3', 'a4']) ids.push((await a.ok('bg_submit', { command: gated(gates, n) })).structuredContent.task_id);
    const [a1, a2, a3, a4] = ids;
    await waitFor(() => state(a, a1) === 'running' && state(a, a2) === 'running', 'a1 and a2 to run');
    const b1 = (await b.ok('bg_submit', { command: gated(gates, 'b1') })).structuredContent.task_id;
    // The machine's two slots are taken: b's task waits, whichever session it belongs to.
    expect(state(b, b1)).toBe('pending');
    expect([a3, a4].map((id) => state(a, id))).toEqual(['pending', 'pending']);
    // It says what it waits for: its place, and who holds the machine's slots.
    const st = await b.ok('task_status', { task_id: b1 });
    expect(st.structuredContent.task.state).toBe('pending');
    expect(st.structuredContent.task.queued).toMatch(/^next in line; running: 2 for vitest in \S+ \(background.maxConcurrentTasks 2, shared by every agent session of this machine\)$/);
    expect(text(st)).toMatch(/Waiting for: +next in line; running: 2 for vitest/);
    // a1 ends: a still runs one, b none — b's task starts before a's older a3.
    openGate(gates, 'a1');
    await waitFor(() => state(b, b1) === 'running', 'b1 to start');
    expect(state(a, a3)).toBe('pending');
    openGate(gates, 'a2');
    await waitFor(() => state(a, a3) === 'running', 'a3 to start');
    expect(state(a, a4)).toBe('pending');
    for (const n of ['b1', 'a3', 'a4']) openGate(gates, n);
    await waitFor(() => [a4, b1].every((id) => state(a, id) === 'done'), 'every task to end');
  });

  it('each session runs its tasks in its own directory with its own environment', async () => {
    const dirA = tempDir('bgbash-app-a-');
    const dirB = tempDir('bgbash-app-b-');
    const a = await session({ cwd: dirA, env: { AGENT_VAR: 'from-a' } });
    const b = await session({ dataDir: a.dataDir, cwd: dirB, env: { AGENT_VAR: 'from-b' } });
    const ra = await a.ok('bash', { command: 'echo "$AGENT_VAR $PWD"' });
    const rb = await b.ok('bash', { command: 'echo "$AGENT_VAR $PWD"' });
    expect(ra.structuredContent.output).toBe(`from-a ${dirA}`);
    expect(rb.structuredContent.output).toBe(`from-b ${dirB}`);
    // Background tasks too, and shell state stays per session.
    await a.ok('bash', { command: 'export ONLY_A=1; cd /' });
    const bg = await b.ok('bg_submit', { command: 'echo "[$ONLY_A] $AGENT_VAR $PWD"' });
    const out = await b.ok('task_output', { task_id: bg.structuredContent.task_id, wait: 10 });
    expect(out.structuredContent.output).toBe(`[] from-b ${dirB}`);
    expect((await a.ok('bash', { command: 'echo "$ONLY_A $PWD"' })).structuredContent.output).toBe('1 /');
  });

  it('a session never gets another session\'s notices', async () => {
    const a = await session();
    const b = await session({ dataDir: a.dataDir });
    const t = await a.ok('bg_submit', { command: 'echo quick' });
    await a.ok('task_status', { task_id: t.structuredContent.task_id, wait: 10 });
    const bt = await b.ok('bg_submit', { command: 'echo from-b' });
    await waitFor(async () => readRecord(b.dataDir, bt.structuredContent.task_id).state === 'done', 'b task to end');
    const list = await b.ok('task_list', {});
    const notices = (list.structuredContent.notices ?? []) as Array<{ task_id: string }>;
    expect(notices.map((n) => n.task_id)).not.toContain(t.structuredContent.task_id);
  });
});

describe('secrets of each session', () => {
  it('a delivery masks the secrets of the agent that started the task, not only the daemon\'s', async () => {
    const a = await session();
    // b's agent has a token the daemon (started by a) never saw.
    const b = await session({ dataDir: a.dataDir, env: { SERVICE_API_TOKEN: 'hunter2-b-only-secret-77' } });
    const out = path.join(tempDir('bgbash-deliver-'), 'got.json');
    const r = await b.ok('bg_submit', { command: 'echo "value=$SERVICE_API_TOKEN"', deliver_to: [`command:cat > ${out}`] });
    await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes(r.structuredContent.task_id), 'the delivery');
    const got = fs.readFileSync(out, 'utf8');
    expect(got).not.toContain('hunter2-b-only-secret-77');
    expect(got).toContain('value=$SERVICE_API_TOKEN');
  });
});

describe('endings', () => {
  it('a session killed with -9 ends its own tasks ("the agent session ended"); the other session\'s run on', async () => {
    const a = await session();
    const b = await session({ dataDir: a.dataDir });
    const ta = (await a.ok('bg_submit', { command: 'sleep 77.1' })).structuredContent.task_id;
    const tb = (await b.ok('bg_submit', { command: 'sleep 77.2' })).structuredContent.task_id;
    await waitFor(() => withArgs('sleep 77.1').length && withArgs('sleep 77.2').length, 'both tasks to run');
    process.kill(a.pid, 'SIGKILL');
    await waitFor(() => state(b, ta) === 'cancelled', 'a\'s task to be cancelled');
    expect(readRecord(a.dataDir, ta).error).toBe('the agent session ended');
    await waitFor(() => withArgs('sleep 77.1').length === 0, 'a\'s task process to end');
    expect(state(b, tb)).toBe('running');
    expect(withArgs('sleep 77.2')).toHaveLength(1);
    await b.ok('task_cancel', { task_id: tb });
  });

  it('the daemon killed with -9: no task process left, records say why from the first read, the session goes on with a new daemon', async () => {
    const a = await session();
    const id = (await a.ok('bg_submit', { command: 'sleep 77.3' })).structuredContent.task_id;
    await waitFor(() => withArgs('sleep 77.3').length, 'the task to run');
    const old = daemonOf(a.dataDir)!;
    process.kill(old.pid, 'SIGKILL');
    // The watchdog ends the task; the CLI reads it as failed at once.
    await waitFor(() => withArgs('sleep 77.3').length === 0, 'the task to be reaped', 40_000);
    // The front-end reconnects to a new daemon, whose recovery closes the record.
    const fresh = await waitFor(() => {
      const d = daemonOf(a.dataDir);
      return d && d.pid !== old.pid ? d : null;
    }, 'a new daemon', 40_000).catch((e: Error) => {
      throw new Error(`${e.message}; what bgbash said:\n${a.stderr()}`);
    });
    expect(fresh.id).not.toBe(old.id);
    await waitFor(() => state(a, id) === 'failed', 'the record to be closed', 40_000);
    const listed = await bgbash(a.dataDir, ['list']);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+failed`, 'm'));
    // The same client, no new initialize: its next calls work.
    const r = await a.ok('bash', { command: 'echo still here' });
    expect(r.structuredContent.output).toBe('still here');
    const st = await a.ok('task_status', { task_id: id });
    expect(st.structuredContent.task.error).toMatch(/exited while it was running/);
  });

  it('the agent goes while its front-end is between daemons: the front-end still ends, and nothing of the data dir is left', async () => {
    const raw = serveRaw();
    try {
      await raw.initialize();
      const old = await waitFor(() => daemonOf(raw.dataDir), 'the daemon');
      process.kill(old.pid, 'SIGKILL');
      // The end of input comes while the front-end finds (or starts) the next daemon.
      const said = (e: Error): never => {
        throw new Error(`${e.message}; left: ${JSON.stringify(withArgs(raw.dataDir))}; what bgbash said:\n${raw.stderr()}`);
      };
      expect(await raw.stop(30_000).catch(said)).toBe(0);
      await waitFor(() => withArgs(raw.dataDir).length === 0, 'every process of the data dir to end', 30_000).catch(said);
    } finally {
      raw.kill();
    }
  });

  it('idle exit: the daemon stays while a session is connected and exits daemon.idleExit after the last one', async () => {
    const a = await session({ env: { BGBASH_DAEMON_IDLE_EXIT: '2s' } });
    const d = daemonOf(a.dataDir)!;
    await a.ok('bash', { command: 'true' });
    await new Promise((r) => setTimeout(r, 2500));
    expect(daemonOf(a.dataDir)?.pid).toBe(d.pid);
    const status = await bgbash(a.dataDir, ['daemon', 'status']);
    expect(status.stdout).toMatch(new RegExp(`daemon ${d.id}: pid ${d.pid}, .*1 session\\(s\\), 0 live task\\(s\\)`));
    const closedAt = Date.now();
    await a.close();
    await waitFor(() => daemonOf(a.dataDir) === null, 'the daemon to exit', 15_000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(1900);
    expect(withArgs(a.dataDir)).toEqual([]);
  });

  it('bgbash daemon stop ends the daemon and its tasks; the next session starts a new one', async () => {
    const a = await session({ env: { BGBASH_DAEMON_IDLE_EXIT: '10m' } });
    const id = (await a.ok('bg_submit', { command: 'sleep 77.4' })).structuredContent.task_id;
    await a.close();
    // The session ended: its task with it; the daemon stays (10 minutes idle).
    await waitFor(() => state(a, id) === 'cancelled', 'the task to end');
    const d = daemonOf(a.dataDir)!;
    expect(d).not.toBeNull();
    const stop = await bgbash(a.dataDir, ['daemon', 'stop']);
    expect(stop.stdout).toMatch(/stopped daemon/);
    expect(daemonOf(a.dataDir)).toBeNull();
    expect(await bgbash(a.dataDir, ['daemon', 'status'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/no bgbash daemon is running/) });
  });
});

describe('what crosses the wire', () => {
  it('a request followed at once by end of input is answered', () => {
    const dataDir = tempDir();
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'printf', version: '1' } } });
    const out = execFileSync(process.execPath, [CLI, 'serve', '--data-dir', dataDir], { input: init + '\n', env: baseEnv(), timeout: 30_000 }).toString();
    const answer = JSON.parse(out.trim().split('\n')[0]);
    expect(answer).toMatchObject({ id: 1, result: { serverInfo: { name: 'bgbash' } } });
  });

  it('a config file and data dir named relative to the agent\'s directory mean that directory (the daemon runs in /)', () => {
    const project = tempDir('bgbash-rel-');
    fs.writeFileSync(path.join(project, 'cfg.json'), JSON.stringify({ background: { maxConcurrentTasks: 3 } }));
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'rel', version: '1' } } });
    const ways: Array<[string[], Record<string, string>]> = [
      [['--config', './cfg.json', '--data-dir', './data-a'], {}],
      [['--set', 'dataDir=./data-b'], { BGBASH_CONFIG: './cfg.json' }],
    ];
    for (const [args, env] of ways) {
      const r = spawnSync(process.execPath, [CLI, 'serve', ...args], { input: init + '\n', cwd: project, env: baseEnv(env), timeout: 30_000 });
      expect(r.stderr.toString()).toContain(`data ${project}/data-`);
      expect(JSON.parse(r.stdout.toString().trim().split('\n')[0])).toMatchObject({ id: 1, result: { serverInfo: { name: 'bgbash' } } });
    }
    for (const d of ['data-a', 'data-b']) fs.rmSync(daemonLogPath(path.join(project, d), {}), { force: true });
  });

  it('a rebuilt copy never talks to an older daemon: each build has its own, and the old one keeps its tasks', async () => {
    const copy = tempDir('bgbash-build-');
    fs.cpSync(path.dirname(path.dirname(CLI)), path.join(copy, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(path.dirname(path.dirname(path.dirname(CLI))), 'package.json'), path.join(copy, 'package.json'));
    fs.symlinkSync(path.join(path.dirname(path.dirname(path.dirname(CLI))), 'node_modules'), path.join(copy, 'node_modules'));
    fs.appendFileSync(path.join(copy, 'dist/cli/bgbash.js'), '\n// another build\n');
    const a = await session();
    const id = (await a.ok('bg_submit', { command: 'sleep 77.5' })).structuredContent.task_id;
    const first = daemonOf(a.dataDir)!;
    const b = await session({ dataDir: a.dataDir, cli: path.join(copy, 'dist/cli/main.js') });
    const daemons = fs.readdirSync(path.join(a.dataDir, 'servers')).map((f) => JSON.parse(fs.readFileSync(path.join(a.dataDir, 'servers', f), 'utf8'))).filter((i) => i.role === 'daemon');
    expect(daemons).toHaveLength(2);
    expect(state(a, id)).toBe('running');
    // Both see every task of the data dir.
    const seen = await b.ok('task_status', { task_id: id });
    expect(seen.structuredContent.task.state).toBe('running');
    await a.close();
    await waitFor(() => withArgs(`--build`).every((p) => p.pid !== first.pid), 'the old daemon to exit once idle', 15_000);
    await b.close();
  });
});

