/**
 * What crosses between `bgbash serve` front-ends and their daemon when
 * something is off: two agents under one session name, a peer that is
 * refused and never goes, one agent's client name shown to another, a
 * daemon that answers garbage, a daemon that dies after the launcher
 * answered the opening itself. Real front-ends, real daemons, real SDK
 * clients (test/e2e/daemon.test.ts has the ordinary life of a daemon).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { withArgs } from '../helpers/procs.js';
import { serveRaw } from '../helpers/raw-rpc.js';
import { buildId, daemonSocketPath, MAX_HELLO_BYTES, WIRE_PROTOCOL } from '../../src/daemon/wire.js';
import { VERSION } from '../../src/version.js';
import { baseEnv, CLI, daemonLog, daemonOf, tempDir } from '../helpers/server.js';
import { closeSessions, gated, openGate, session, state } from '../helpers/sessions.js';
import { waitFor } from '../helpers/wait.js';

afterEach(closeSessions);

describe('session names', () => {
  it('a second live session under a name the daemon serves is refused, naming it; the first keeps its tasks, and the name is free once it ended', async () => {
    const a = await session({ env: { BGBASH_SESSION: 'twin', AGENT_VAR: 'from-a' } });
    const id = (await a.ok('bg_submit', { command: 'sleep 77.6' })).structuredContent.task_id;
    await waitFor(() => withArgs('sleep 77.6').length, 'the task to run');
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'twin', version: '1' } } });
    const second = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [CLI, 'serve', '--data-dir', a.dataDir, '--session', 'twin'], { env: baseEnv({ AGENT_VAR: 'from-b' }), timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: child.exitCode, stdout, stderr }),
      );
      child.stdin!.end(init + '\n');
    });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`bgbash: this bgbash daemon already serves a session named "twin" \\(front-end pid ${a.pid}\\).*another name`));
    // The first session is untouched: its task runs on, its environment is its own.
    expect(state(a, id)).toBe('running');
    expect((await a.ok('bash', { command: 'echo "$AGENT_VAR"' })).structuredContent.output).toBe('from-a');
    await a.close();
    await waitFor(() => state(a, id) === 'cancelled', 'the task to end with its session');
    // The name is free again once the session is over (a front-end that came while it was ending waits for that).
    const c = await session({ dataDir: a.dataDir, env: { BGBASH_SESSION: 'twin', AGENT_VAR: 'from-c' } });
    expect((await c.ok('bash', { command: 'echo "$AGENT_VAR"' })).structuredContent.output).toBe('from-c');
  });

  it('a peer that is refused and never closes its side is let go', async () => {
    const a = await session();
    const where = daemonSocketPath(a.dataDir, buildId(path.join(path.dirname(CLI), 'bgbash.js')), {});
    const sock = net.connect({ path: where.path, allowHalfOpen: true });
    let answer = '';
    let closed = false;
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    sock.on('close', () => (closed = true));
    sock.on('error', () => undefined);
    // A hello over the limit, with no newline, and the peer's end left open.
    sock.write(Buffer.alloc(MAX_HELLO_BYTES + 1, 'x'));
    await waitFor(() => answer.endsWith('\n'), 'the refusal');
    expect(JSON.parse(answer.trim())).toMatchObject({ ok: false, error: expect.stringMatching(/hello is over/) });
    // Its side is half-closed; whether it is gone shows only to a writer (EPIPE once the daemon let the socket go).
    await waitFor(() => closed || void sock.write('x'), 'the daemon to let the refused connection go', 15_000);
    sock.destroy();
  });
});

describe('a peer that says nothing', () => {
  it('is refused after the hello wait, and a hello it sends after that registers no session', async () => {
    const a = await session();
    const build = buildId(path.join(path.dirname(CLI), 'bgbash.js'));
    const sock = net.connect({ path: daemonSocketPath(a.dataDir, build, {}).path, allowHalfOpen: true });
    let answer = '';
    let closed = false;
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    sock.on('close', () => (closed = true));
    sock.on('error', () => undefined);
    await waitFor(() => answer.endsWith('\n'), 'the refusal after the hello wait', 20_000);
    expect(JSON.parse(answer)).toMatchObject({ ok: false, error: 'no hello from the front-end in time' });
    // A well-formed hello, late: the daemon no longer reads this connection, and lets it go.
    const hello = { bgbash: 'session', protocol: WIRE_PROTOCOL, version: VERSION, build, pid: process.pid, cwd: '/', env: {}, session: 'late-hello' };
    sock.write(JSON.stringify(hello) + '\n');
    await waitFor(() => closed || void sock.write('x'), 'the daemon to let the connection go', 15_000);
    expect(answer.trim().split('\n')).toHaveLength(1);
    const entries = fs.readdirSync(path.join(a.dataDir, 'servers')).map((f) => JSON.parse(fs.readFileSync(path.join(a.dataDir, 'servers', f), 'utf8')));
    expect(entries.filter((e) => e.session === 'late-hello')).toEqual([]);
    // A session it had registered would have ended with the connection, saying so in the log before this round trip.
    await a.ok('bash', { command: 'true' });
    expect(daemonLog(a.dataDir)).toContain(`serving ${a.dataDir}`);
    expect(daemonLog(a.dataDir)).not.toContain('late-hello');
  }, 40_000);
});

describe('one agent\'s words shown to others', () => {
  it('a client name with escape sequences and no end reaches another agent\'s queue note and daemon status printable and short', async () => {
    const gates = tempDir('bgbash-gates-');
    const evil = `\x1b]0;pwned\x07claude\u202e${'x'.repeat(5000)}`;
    const a = await session({ clientName: evil, set: { 'background.maxConcurrentTasks': 1 } });
    const b = await session({ dataDir: a.dataDir });
    const ta = (await a.ok('bg_submit', { command: gated(gates, 'evil') })).structuredContent.task_id;
    await waitFor(() => state(a, ta) === 'running', 'a\'s task to run');
    const tb = (await b.ok('bg_submit', { command: 'echo b' })).structuredContent.task_id;
    const queued: string = (await b.ok('task_status', { task_id: tb })).structuredContent.task.queued;
    expect(queued).toMatch(/^next in line; running: 1 for claudex+… in /);
    expect(queued).not.toMatch(/[\x1b\x07\u202e]|pwned/);
    expect(queued.length).toBeLessThan(300);
    const status = await bgbash(a.dataDir, ['daemon', 'status']);
    const line = status.stdout.split('\n').find((l) => l.includes('claudex'))!;
    expect(line).toMatch(/^ {2}session \S+: claudex+… in /);
    expect(status.stdout).not.toMatch(/[\x1b\x07\u202e]|pwned/);
    expect(line.length).toBeLessThan(400);
    openGate(gates, 'evil');
  });
});

describe('a daemon that answers wrong', () => {
  it('an answer to the hello that is not JSON ends the front-end with a clear message, not a stack', async () => {
    const dataDir = tempDir();
    const where = daemonSocketPath(dataDir, buildId(path.join(path.dirname(CLI), 'bgbash.js')), {});
    fs.mkdirSync(where.dir, { recursive: true, mode: 0o700 });
    // Something else listens where this build's daemon would: it answers the hello with garbage.
    const impostor = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.write('<html>\x1b[31mnot a daemon\n'));
    });
    await new Promise<void>((resolve) => impostor.listen(where.path, resolve));
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [CLI, 'serve', '--data-dir', dataDir], { env: baseEnv(), timeout: 30_000 }, (_err, _out, stderr) => resolve({ code: child.exitCode, stderr }));
        child.stdin!.end();
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^bgbash: the bgbash daemon answered the session's hello with something that is not a bgbash answer: "<html>\\u001b\[31mnot a daemon"/m);
      expect(r.stderr).not.toMatch(/\x1b|at .*\.js:\d+/);
    } finally {
      impostor.close();
    }
  });
});

describe('the opening answered early, then the daemon dies', () => {
  it('the server/discover the launcher answered is not answered a second time (with an error) when the daemon goes', async () => {
    const META = 'io.modelcontextprotocol/';
    const envelope = { [`${META}protocolVersion`]: '2026-07-28', [`${META}clientInfo`]: { name: 'claude-code', version: '2.1.330' }, [`${META}clientCapabilities`]: {} };
    const raw = serveRaw();
    try {
      raw.send({ id: 0, method: 'server/discover', params: { _meta: envelope } });
      expect((await raw.answer(0)).result).toBeDefined();
      raw.send({ id: 1, method: 'tools/list', params: { _meta: envelope } });
      await raw.answer(1);
      const old = await waitFor(() => daemonOf(raw.dataDir), 'the daemon');
      process.kill(old.pid, 'SIGKILL');
      await waitFor(() => /the daemon stopped; starting a new one/.test(raw.stderr()), 'the front-end to see its daemon go', 30_000);
      raw.send({ id: 2, method: 'tools/list', params: { _meta: envelope } });
      await raw.answer(2, 40_000);
      expect(raw.lines.filter((l) => l.id === 0)).toHaveLength(1);
      expect(await raw.stop(30_000)).toBe(0);
    } finally {
      raw.kill();
    }
  });
});

describe('one daemon per data dir, whatever starts it', () => {
  const liveDaemons = (dataDir: string): number[] =>
    fs
      .readdirSync(path.join(dataDir, 'servers'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dataDir, 'servers', f), 'utf8')))
      .filter((i) => i.role === 'daemon' && withArgs(`daemon run --data-dir ${dataDir}`).some((p) => p.pid === i.pid))
      .map((i) => i.pid);

  it('a long data dir: two agents with different runtime dirs reach the one daemon its lock names', async () => {
    // Too long for a socket path in the data dir: the socket goes to the runtime dir of the agent that started it.
    const dataDir = path.join(tempDir(), 'd'.repeat(100));
    const [r1, r2] = [tempDir('bgbash-rt1-'), tempDir('bgbash-rt2-')];
    const a = await session({ dataDir, env: { XDG_RUNTIME_DIR: r1 } });
    const b = await session({ dataDir, env: { XDG_RUNTIME_DIR: r2 } });
    expect(fs.readdirSync(path.join(r1, 'bgbash')).filter((f) => f.startsWith('daemon-') && f.endsWith('.sock'))).toHaveLength(1);
    expect(liveDaemons(dataDir)).toHaveLength(1);
    expect((await a.ok('bash', { command: 'echo a' })).structuredContent.output).toBe('a');
    expect((await b.ok('bash', { command: 'echo b' })).structuredContent.output).toBe('b');
    expect(liveDaemons(dataDir)).toHaveLength(1);
  });

  it('daemons started at once over a stale lock: one takes it, the others exit naming it', async () => {
    const dataDir = tempDir();
    const build = buildId(path.join(path.dirname(CLI), 'bgbash.js'));
    fs.mkdirSync(path.join(dataDir, 'run'), { recursive: true, mode: 0o700 });
    // A lock left by a daemon of an earlier boot: its pid is not running now.
    fs.writeFileSync(path.join(dataDir, 'run', `daemon-${build}.lock`), JSON.stringify({ pid: 4_000_000, starttime: 1 }));
    const env = baseEnv({ BGBASH_DAEMON_BUILD: build, BGBASH_DAEMON_IDLE_EXIT: '0' });
    const said: string[] = [];
    const runs = Array.from({ length: 4 }, () =>
      new Promise<void>((resolve) => {
        const child = execFile(process.execPath, [CLI, 'daemon', 'run', '--data-dir', dataDir], { env }, (_err, _out, err) => {
          said.push(err);
          resolve();
        });
        child.stdin?.end();
      }),
    );
    await waitFor(() => said.filter((s) => /already serves/.test(s)).length === 3, 'three daemons to step back', 30_000);
    expect(liveDaemons(dataDir)).toHaveLength(1);
    // The one that stayed exits once idle (no session came), and takes its lock with it.
    await Promise.all(runs);
    expect(fs.readdirSync(path.join(dataDir, 'run')).filter((f) => f.includes('.lock'))).toEqual([]);
  });
});
