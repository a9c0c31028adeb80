/** The `bash` tool, foreground and background, through the real SDK client over stdio. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startServer, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s.close();
});

describe('tools/list', () => {
  it('lists every tool with schemas and annotations', async () => {
    const { tools } = await s.client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['bash', 'bg_submit', 'task_cancel', 'task_input', 'task_list', 'task_output', 'task_retry', 'task_status']);
    for (const t of tools) {
      expect(t.outputSchema, t.name).toBeDefined();
      expect(t.description!.length, t.name).toBeGreaterThan(40);
    }
    for (const name of ['task_status', 'task_output', 'task_list']) expect(byName[name].annotations?.readOnlyHint).toBe(true);
    for (const name of ['bash', 'bg_submit', 'task_cancel', 'task_input']) expect(byName[name].annotations?.destructiveHint).toBe(true);
    expect(Object.keys((byName.bash.inputSchema as any).properties)).toEqual(
      expect.arrayContaining(['command', 'background', 'cwd', 'env', 'timeout', 'name', 'pty', 'yield_after', 'until', 'persistent', 'reuse', 'until_listening']),
    );
    expect(Object.keys((byName.bg_submit.inputSchema as any).properties)).toEqual(expect.arrayContaining(['persistent', 'reuse']));
    // It goes into every model request: the budget is 12 KB (bench/sections/context.js measures it too).
    expect(Buffer.byteLength(JSON.stringify({ tools }))).toBeLessThanOrEqual(12_288);
  });
});

describe('bash in the foreground', () => {
  it('returns the exit code and cleaned output', async () => {
    const r = await s.ok('bash', { command: `${fixture('colors.sh')}; ${fixture('progress.sh')}; printf 'crlf\\r\\n'` });
    expect(r.structuredContent).toMatchObject({ state: 'done', exit_code: 0, detached: null, truncated: false });
    const out = r.structuredContent.output;
    expect(out).toBe('✓ passes\n✗ fails\nWARN done\nDownloading [#####################] 100%\nDone\ncrlf');
    expect(text(r)).toContain('exit code 0');
  });

  it('reports a failing command with its exit code, and a missing one as 127', async () => {
    const r = await s.ok('bash', { command: 'echo oops >&2; exit 3' });
    expect(r.structuredContent).toMatchObject({ state: 'failed', exit_code: 3, error: 'exited with code 3', output: 'oops' });
    const nf = await s.ok('bash', { command: 'definitely-not-a-command-xyz' });
    expect(nf.structuredContent).toMatchObject({ state: 'failed', exit_code: 127 });
    expect(nf.structuredContent.output).toMatch(/definitely-not-a-command-xyz: command not found/);
  });

  it('detaches after yield_after and leaves the process running', async () => {
    const t0 = Date.now();
    const r = await s.ok('bash', { command: `${fixture('counter.sh')} 15 0.1`, yield_after: 0.5 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'yield', exit_code: null });
    expect(r.structuredContent.output).toMatch(/^tick 1/);
    expect(text(r)).toMatch(/keeps running in the background as task #\d+/);
    const done = await s.ok('task_status', { task_id: r.structuredContent.task_id, wait: 10 });
    expect(done.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0 });
    const out = await s.ok('task_output', { task_id: r.structuredContent.task_id });
    expect(out.structuredContent.output).toMatch(/tick 15\nfinished$/);
  });

  it('returns as soon as `until` matches, with the command still running', async () => {
    const r = await s.ok('bash', { command: fixture('server.sh'), until: 'ready on', yield_after: 20 });
    expect(r.structuredContent).toMatchObject({ state: 'running', detached: 'until', matched: 'Server ready on http://127.0.0.1:5173' });
    expect(r.structuredContent.output).toContain('compiled 12 modules');
    const c = await s.ok('task_cancel', { task_id: r.structuredContent.task_id });
    expect(c.structuredContent.task.state).toBe('cancelled');
  });

  it('head + tail of long output, with a cursor to read the middle', async () => {
    const r = await s.ok('bash', { command: `${fixture('huge.sh')} 5000` });
    const out: string = r.structuredContent.output;
    expect(r.structuredContent.truncated).toBe(true);
    expect(out.startsWith('line 1 of')).toBe(true);
    expect(out.endsWith('line 5000 of the huge output fixture')).toBe(true);
    expect(out).toMatch(/not shown: task_output with since=\d+ reads them/);
    expect(Buffer.byteLength(out)).toBeLessThan(17_000);
  });

  it('loses no output of a command that prints a lot and exits at once (node-pty #72)', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await s.ok('bash', { command: `${fixture('huge.sh')} 20000`, yield_after: 0 });
      // Under a pty every \n arrives as \r\n: 20000 lines of text plus one byte each.
      expect(r.structuredContent.cursor).toBe(Buffer.byteLength(Array.from({ length: 20000 }, (_, k) => `line ${k + 1} of the huge output fixture\n`).join('')) + 20000);
      expect(r.structuredContent.output.endsWith('line 20000 of the huge output fixture')).toBe(true);
    }
  });

  it('pty: false keeps stdout and stderr apart', async () => {
    const r = await s.ok('bash', { command: fixture('split-streams.sh'), pty: false });
    expect(r.structuredContent).toMatchObject({ exit_code: 2, output: 'to stdout\nmore stdout', stderr: 'to stderr' });
    const err = await s.ok('task_output', { task_id: r.structuredContent.task_id, stream: 'stderr' });
    expect(err.structuredContent.output).toBe('to stderr');
  });

  it('runs in cwd with env, under a terminal by default', async () => {
    const r = await s.ok('bash', { command: 'pwd; echo "$GREETING"; [ -t 1 ] && echo tty; echo "$TERM"', cwd: '/tmp', env: { GREETING: 'hi there' } });
    expect(r.structuredContent.output).toBe('/tmp\nhi there\ntty\nxterm-256color');
    const p = await s.ok('bash', { command: '[ -t 1 ] && echo tty || echo notty', pty: false });
    expect(p.structuredContent.output).toBe('notty');
  });

  it('summarises binary output instead of dumping it', async () => {
    const r = await s.ok('bash', { command: fixture('binary.sh'), pty: false });
    expect(r.structuredContent.output).toMatch(/^\[binary output: 19\.5 KiB not shown as text/);
  });
});

describe('a client that gives up on a foreground call', () => {
  it('cancelling the request detaches the command; it runs on and is announced when it ends', async () => {
    const ac = new AbortController();
    const call = s.client.callTool({ name: 'bash', arguments: { command: `${fixture('counter.sh')} 6 0.1`, yield_after: 0, name: 'abandoned' } }, undefined, { signal: ac.signal });
    const running = await waitFor(async () => {
      const l = await s.ok('task_list', { state: 'running' });
      return l.structuredContent.tasks.find((t: any) => t.label === 'abandoned');
    }, 'the run to start');
    ac.abort();
    await expect(call).rejects.toThrow();
    const st = await s.ok('task_status', { task_id: running.id });
    expect(st.structuredContent.task.state).toBe('running');
    const got = await waitFor(async () => {
      const r = await s.ok('task_list', { limit: 1 });
      return r.structuredContent.notices?.find((n: any) => n.task_id === running.id);
    }, 'the notice of the abandoned run');
    expect(got.text).toMatch(/\[Task #\d+ completed\] abandoned — exit code 0/);
  });
});

describe('bash in the background', () => {
  it('returns a task id at once; the task runs to the end', async () => {
    const t0 = Date.now();
    const r = await s.ok('bash', { command: `${fixture('counter.sh')} 5 0.1`, background: true, name: 'counter' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(['pending', 'running']).toContain(r.structuredContent.state);
    const id = r.structuredContent.task_id;
    const st = await s.ok('task_status', { task_id: id, wait: 10 });
    expect(st.structuredContent.task).toMatchObject({ id, state: 'done', exit_code: 0, name: 'counter', origin: 'vitest', kind: 'shell' });
    expect(st.structuredContent.task.tokens).toBeGreaterThan(0);
  });
});
