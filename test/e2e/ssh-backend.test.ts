/**
 * The ssh backend against a real sshd on a free local port (see
 * helpers/sshd.ts): output, input, exit codes, a remote pty, cancel and
 * timeout ending remote grandchildren (checked on the remote side), a dropped
 * connection, and hosts that cannot be reached or logged into.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord, startServer, text, type TestServer } from '../helpers/server.js';
import { findSshd, hasSshClient, startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/wait.js';

const sshdPath = findSshd();
const runnable = sshdPath !== null && hasSshClient();
if (!runnable) {
  console.warn(`ssh backend tests SKIPPED: ${sshdPath ? 'no ssh client' : 'sshd is not installed'} (install openssh-server and openssh-client; .ci/run does)`);
}

let seq = 0;
/** A number no other process has on its command line: `sleep <token>` is findable remotely. */
function token(): string {
  return `${7000 + (process.pid % 1000)}.${Date.now() % 100000}${++seq}`;
}

describe.skipIf(!runnable)('ssh backend (real sshd)', () => {
  let sshd: TestSshd;
  let s: TestServer;
  /** Remote processes whose command line holds `tok`, seen from the remote side. */
  const remoteWith = (tok: string): string[] =>
    sshd
      .remote(`ps -e -o stat=,args= | grep -F -- ${tok} | grep -v -e grep -e '^Z' || true`)
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    sshd = await startSshd(sshdPath!);
    s = await startServer({
      // The agent's own environment: local tasks get it; a remote host must not.
      env: { AGENT_LOCAL_TOKEN: 'agent-local-value-5521' },
      set: {
        'backends.box': JSON.stringify(sshd.backend()),
        'backends.nohost': JSON.stringify({ type: 'ssh', host: 'no-such-host.invalid' }),
        // Other names for the same machine, so `host: "127.0.0.1"` names one backend only.
        'backends.wrongkey': JSON.stringify(sshd.backend({ host: 'localhost', identity: sshd.wrongIdentity })),
        'backends.closed': JSON.stringify(sshd.backend({ host: 'localhost', port: 1 })),
        'background.killGrace': '500ms',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    await sshd?.stop();
  });

  it('runs the command remotely: output, stderr apart without a pty, the exit code, a local record', async () => {
    const r = await s.ok('bash', { command: 'echo "on $(hostname) as $(id -un)"; echo oops >&2; exit 3', backend: 'box', pty: false });
    expect(r.structuredContent).toMatchObject({ state: 'failed', exit_code: 3 });
    expect(r.structuredContent.output).toMatch(/^on \S+ as \S+\n?$/);
    expect(r.structuredContent.stderr).toBe('oops');
    const rec = readRecord(s.dataDir, r.structuredContent.task_id);
    expect(rec).toMatchObject({ backend: 'box', cwd: '~', termination: { reason: 'exit' } });
    const ok = await s.ok('bash', { command: 'true', host: '127.0.0.1' });
    expect(ok.structuredContent).toMatchObject({ state: 'done', exit_code: 0 });
  });

  it('a remote pty when the task asks for a terminal; env and cwd reach the command', async () => {
    const r = await s.ok('bash', { command: 'test -t 1 && echo "tty $GREETING $(pwd)"', backend: 'box', env: { GREETING: "it's me" }, cwd: '/tmp' });
    expect(r.structuredContent).toMatchObject({ state: 'done' });
    expect(r.structuredContent.output).toContain("tty it's me /tmp");
  });

  it('no message of the ssh client lands in the output (a shared connection closing, a pty or not)', async () => {
    const r = await s.ok('bash', { command: 'echo only-this', backend: 'box' });
    expect(r.structuredContent.output).toBe('only-this');
    const p = await s.ok('bash', { command: 'echo only-this; echo and-this >&2', backend: 'box', pty: false });
    expect(p.structuredContent.output).toBe('only-this');
    expect(p.structuredContent.stderr).toBe('and-this');
    const bg = await s.ok('bash', { command: 'echo in-the-background', backend: 'box', background: true });
    await s.ok('task_status', { task_id: bg.structuredContent.task_id, wait: 20 });
    const out = await s.ok('task_output', { task_id: bg.structuredContent.task_id });
    expect(out.structuredContent.output).toBe('in-the-background');
    expect(text(out)).not.toMatch(/connection|closed/i);
  });

  it('input reaches the remote command', async () => {
    const sub = await s.ok('bg_submit', { command: 'read line; echo "got $line"', backend: 'box', pty: false });
    const id = sub.structuredContent.task_id;
    await waitFor(async () => (await s.ok('task_status', { task_id: id })).structuredContent.task.state === 'running', 'running');
    // Pipes: a newline ends the line (`enter` sends a terminal's CR).
    await s.ok('task_input', { task_id: id, text: 'hello there\n' });
    const st = await s.ok('task_status', { task_id: id, wait: 20 });
    expect(st.structuredContent.task).toMatchObject({ state: 'done' });
    expect((await s.ok('task_output', { task_id: id })).structuredContent.output).toContain('got hello there');
  });

  it.each(['cancel', 'timeout'] as const)('%s ends the remote tree, grandchildren that ignore SIGTERM and a setsid daemon included', async (way) => {
    const tok = token();
    const command = `(trap "" TERM; sleep ${tok}1) & setsid sleep ${tok}2 & sleep ${tok}3; echo never`;
    const sub = await s.ok('bg_submit', { command, backend: 'box', pty: false, ...(way === 'timeout' ? { timeout: 4 } : {}) });
    const id = sub.structuredContent.task_id;
    await waitFor(() => remoteWith(tok).length >= 3, 'the remote tree', 20_000, 200);
    if (way === 'cancel') await s.ok('task_cancel', { task_id: id });
    const st = await s.ok('task_status', { task_id: id, wait: 20 });
    expect(st.structuredContent.task).toMatchObject(
      way === 'cancel' ? { state: 'cancelled', termination: { reason: 'cancelled', by: 'agent' } } : { state: 'failed', termination: { reason: 'timeout' } },
    );
    await waitFor(() => remoteWith(tok).length === 0, 'nothing of it left on the remote side', 15_000, 200);
  });

  it('a dropped connection fails the task with a clear reason; nothing stays behind remotely', async () => {
    const tok = token();
    const sub = await s.ok('bg_submit', { command: `sleep ${tok}`, backend: 'box', pty: false });
    const id = sub.structuredContent.task_id;
    await waitFor(() => remoteWith(tok).length >= 1, 'the remote command', 20_000, 200);
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    const st = await s.ok('task_status', { task_id: id, wait: 30 });
    expect(st.structuredContent.task).toMatchObject({
      state: 'failed',
      termination: { reason: 'connection_lost' },
      error: expect.stringMatching(/^backend "box": the ssh connection to .*127\.0\.0\.1.* was lost while the task ran/),
    });
    await waitFor(() => remoteWith(tok).length === 0, 'the orphaned remote command ended', 20_000, 200);
    // The backend reconnects for the next task.
    expect((await s.ok('bash', { command: 'echo back', backend: 'box' })).structuredContent).toMatchObject({ state: 'done' });
  });

  it.each([
    ['nohost', /backend "nohost": connecting to no-such-host\.invalid failed: .*(Could not resolve hostname|Name or service not known|not known)/],
    ['wrongkey', /backend "wrongkey": connecting to .*localhost.* failed: .*Permission denied/],
    ['closed', /backend "closed": connecting to .*localhost:1 failed: .*Connection refused/],
  ])('%s: the task fails, saying why', async (backend, why) => {
    const r = await s.call('bash', { command: 'echo hi', backend });
    const id = r.structuredContent?.task_id;
    const st = id ? (await s.ok('task_status', { task_id: id, wait: 30 })).structuredContent.task : null;
    expect(st).toMatchObject({ state: 'failed', termination: { reason: 'spawn_error' }, error: expect.stringMatching(why) });
  });

  it('an unknown backend or host is refused at the call, naming the configured ones', async () => {
    const r = await s.call('bash', { command: 'true', backend: 'nope' });
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/unknown backend \\"nope\\" \(known: pty, pipe, agent, sampling, box/);
    const h = await s.call('bash', { command: 'true', host: 'elsewhere.example' });
    expect(JSON.stringify(h.content)).toMatch(/no backend is configured for \\"elsewhere.example\\"/);
  });

  it('cd, export and unset in a foreground call carry to the next on the same backend, apart from this machine\'s shell', async () => {
    const dir = `/tmp/bgbash-shell-${token()}`;
    try {
      const first = await s.ok('bash', { command: `mkdir -p ${dir}/sub && cd ${dir} && export SSVAR="a b" NL=$'x\\ny' && unset SSGONE`, backend: 'box', env: { SSGONE: 'given' } });
      expect(first.structuredContent).toMatchObject({ state: 'done', cwd: dir });
      const next = await s.ok('bash', { command: 'pwd; echo "v=$SSVAR"; printf "%s|" "$NL"; echo "gone=${SSGONE-unset}"', backend: 'box', pty: false });
      expect(next.structuredContent.output).toBe(`${dir}\nv=a b\nx\ny|gone=unset`);
      // A relative cwd is the remote shell's directory's; background tasks on the backend start there too.
      expect((await s.ok('bash', { command: 'pwd', backend: 'box', cwd: 'sub', pty: false })).structuredContent.output).toBe(`${dir}/sub`);
      const bg = (await s.ok('bg_submit', { command: 'pwd', backend: 'box', pty: false })).structuredContent.task_id;
      await s.ok('task_status', { task_id: bg, wait: 30 });
      expect((await s.ok('task_output', { task_id: bg })).structuredContent.output).toBe(dir);
      // This machine's shell did not move, and never got the remote variables.
      const local = await s.ok('bash', { command: 'pwd; echo "v=$SSVAR"', pty: false });
      expect(local.structuredContent.output).not.toContain(dir);
      expect(local.structuredContent.output).toMatch(/\nv=\n?$/);
      // The remote shell holds what the commands changed, nothing of the login environment (SSH_*, HOME, …).
      expect(text(await s.ok('task_status', {}))).toContain(`Shell on box: cwd ${dir} (exported NL, SSVAR; unset SSGONE)`);
    } finally {
      await s.ok('bash', { reset: true });
      sshd.remote(`rm -rf ${dir}`);
    }
  });

  // Last: its foreground call sets the session's remote directory.
  it("the remote side gets the task's own env, never the agent's local environment (not in its env, not in ssh's argv)", async () => {
    const tok = token();
    const bg = await s.ok('bash', { command: `sleep ${tok}`, backend: 'box', background: true, env: { MINE: 'task-value' } });
    await waitFor(() => remoteWith(tok).length > 0, 'the remote sleep');
    const argv = execFileSync('ps', ['-e', '-ww', '-o', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tok));
    expect(argv.length).toBeGreaterThan(0);
    for (const line of argv) expect(line).not.toContain('agent-local-value-5521');
    await s.ok('task_cancel', { task_id: bg.structuredContent.task_id });
    const r = await s.ok('bash', { command: 'env', backend: 'box', pty: false, env: { MINE: 'task-value' } });
    expect(r.structuredContent.output).toContain('MINE=task-value');
    expect(r.structuredContent.output).not.toContain('AGENT_LOCAL_TOKEN');
    // A command that fits locally but not twice in one remote argument: a clear failure, not E2BIG.
    const big = await s.call('bash', { command: `: ${'x'.repeat(80_000)}; echo ok`, backend: 'box' });
    expect(JSON.stringify(big)).toMatch(/too big for backend \\"box\\": on an ssh host it goes to the remote shell as one argument, twice/);
    // Locally the agent's environment is there, as always.
    expect((await s.ok('bash', { command: 'echo "$AGENT_LOCAL_TOKEN"' })).structuredContent.output).toBe('agent-local-value-5521');
  });
});
