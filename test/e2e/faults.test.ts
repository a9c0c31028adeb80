/** The fault suite: no orphans, no lost records, no crash on a full or read-only disk or on bad input. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orphanScenario, WAYS } from '../helpers/orphans.js';
import { baseEnv, CLI, fixture, readRecord, startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('no orphan survives', () => {
  it.each(WAYS)('%s', async (way) => {
    await orphanScenario(way);
  });
});

describe('kill -9 of the server while many tasks end at once', () => {
  it('loses no record; the restart closes what ran and keeps the output', async () => {
    const s = await startServer({ set: { 'background.maxConcurrentTasks': 100 } });
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await s.ok('bg_submit', { command: `sleep 0.4; echo out-${i}` })).structuredContent.task_id);
    // Kill it as they end: some records are being written right then.
    await waitFor(() => ids.some((id) => readRecord(s.dataDir, id).state === 'done'), 'the first to end', 5000, 2);
    await s.crash();
    const b = await startServer({ dataDir: s.dataDir });
    try {
      for (const [i, id] of ids.entries()) {
        const rec = readRecord(s.dataDir, id);
        expect(['done', 'failed']).toContain(rec.state);
        const log = fs.readFileSync(path.join(s.dataDir, 'tasks', id, 'output.log'), 'utf8');
        if (rec.state === 'done') expect(log).toBe(`out-${i}\r\n`);
        else {
          expect(rec.error).toMatch(/exited while it was running/);
          expect(['', `out-${i}\r\n`]).toContain(log);
        }
      }
      const all = await b.ok('task_list', { limit: 1000 });
      expect(all.structuredContent.total).toBe(60);
    } finally {
      await b.close();
      await s.close().catch(() => undefined);
    }
  });
});

describe('a full or unwritable disk', () => {
  const mounts: string[] = [];
  const mount = (opts: string): string => {
    const dir = tempDir('bgbash-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of mounts) spawnSync('umount', ['-l', dir]);
  });

  it('disk full: a clear error on the task, the task still runs to the end, nothing crashes', async () => {
    const dir = mount('size=600k');
    const s = await startServer({ dataDir: dir });
    try {
      const r = await s.ok('bash', { command: `${fixture('huge.sh')} 100000`, yield_after: 0 });
      expect(r.structuredContent).toMatchObject({ state: 'done', exit_code: 0 });
      expect(r.structuredContent.output).toMatch(/line 100000 of the huge output fixture$/);
      const st = await s.ok('task_status', { task_id: r.structuredContent.task_id });
      expect(st.structuredContent.task.output_error).toMatch(/cannot write the output log \(ENOSPC/);
      expect(text(st)).toMatch(/Output log: cannot write the output log \(ENOSPC/);
      expect(s.stderr()).toMatch(/ENOSPC/);
      // Still serving, and new tasks still run.
      const again = await s.ok('bash', { command: 'echo still here' });
      expect(again.structuredContent).toMatchObject({ state: 'done', output: 'still here' });
    } finally {
      await s.close();
    }
  });

  it('data dir turned read-only while running: tasks still run and answer', async () => {
    const dir = mount('size=4m');
    const s = await startServer({ dataDir: dir });
    try {
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const r = await s.ok('bash', { command: 'echo on a read-only disk' });
      expect(r.structuredContent).toMatchObject({ state: 'done', output: 'on a read-only disk' });
      expect(s.stderr()).toMatch(/EROFS/);
      expect((await s.ok('task_list', {})).structuredContent.total).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });

  it('a read-only data dir at start: a clear error naming it', () => {
    const dir = mount('ro,size=1m');
    const r = spawnSync(process.execPath, [CLI, 'serve', '--data-dir', dir], { env: baseEnv(), input: '', encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`bgbash: cannot use the data dir ${dir}: EROFS`);
  });
});

describe('1,000 malformed tool calls', () => {
  it('every one gets a clear error; the server answers task_list after', async () => {
    const s = await startServer();
    try {
      let seed = 42;
      const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
      const junk = (): unknown => pick<unknown>([42, -1, 1.5, true, null, [], [1, 'a'], { a: { b: [] } }, 'x'.repeat(Math.floor(rand() * 5000)), '', '\u0000\u001b[31m', NaN]);
      const badRegex = (): string => pick(['(', '[a-', '*', '(?<x', 'a{2,1}', '\\']);
      const cases: Array<[string, Record<string, unknown>]> = [];
      const unknownId = (): string => String(900000 + Math.floor(rand() * 1000));
      for (let i = 0; i < 1000; i++) {
        const which = i % 10;
        switch (which) {
          case 0: cases.push(['bash', { command: pick([junk(), undefined, '']) === 'x' ? 1 : pick([42, null, [], {}, true]) }]); break;
          case 1: cases.push(['bash', { command: 'true', until: badRegex(), background: false }]); break;
          case 2: cases.push(['bash', { command: 'true', timeout: pick([-5, 0, 'soon', [], 1e12]) }]); break;
          case 3: cases.push(['bg_submit', { command: 'true', cwd: `/nonexistent/${i}`, deliver_to: pick([[`nope:${i}`], 'webhook:x', [42]]) }]); break;
          case 4: cases.push(['task_status', { task_id: pick([unknownId(), 42, null, '', 'x'.repeat(100)]) }]); break;
          case 5: cases.push(['task_output', { task_id: unknownId(), grep: badRegex(), since: pick([-1, 'a', 1.5]) }]); break;
          case 6: cases.push(['task_cancel', { task_id: pick([unknownId(), junk()]) }]); break;
          case 7: cases.push(['task_input', { task_id: unknownId(), keys: pick([['nokey'], 'enter', [1, 2]]) }]); break;
          case 8: cases.push(['task_list', { state: pick(['sleeping', 42, ['done', 'bogus']]), limit: pick([0, -1, 'all', 1e9]) }]); break;
          default: cases.push([pick(['task_retry', 'bash', 'bg_submit']), { [pick(['task_id', 'command', 'prompt'])]: pick([{ x: 1 }, [null], 1e309, -0]) }]);
        }
      }
      let errors = 0;
      for (const [tool, args] of cases) {
        const r = await s.call(tool, args);
        if (r.isError) errors++;
        else throw new Error(`${tool} ${JSON.stringify(args).slice(0, 200)} was accepted: ${text(r).slice(0, 200)}`);
        expect(text(r).length).toBeGreaterThan(10);
      }
      expect(errors).toBe(1000);
      const list = await s.ok('task_list', {});
      expect(list.structuredContent.total).toBe(0);
      const unknownTool = await s.client.callTool({ name: 'rm_rf', arguments: {} }).catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }));
      expect(unknownTool.isError).toBe(true);
    } finally {
      await s.close();
    }
  });
});

describe('commands that behave badly', () => {
  // With the ps process table (macOS; BGBASH_PROCESS_TABLE=ps) a read() on stdin cannot be seen: once quiet the
  // task is "unknown" (null, and the text says so), never a wrong yes or no.
  const waiting = async (s: TestServer, id: string): Promise<boolean> => {
    const r = await s.ok('task_status', { task_id: id });
    if (process.env.BGBASH_PROCESS_TABLE !== 'ps') return r.structuredContent.task.waiting_for_input === true;
    return r.structuredContent.task.waiting_for_input === null && text(r).includes('Waiting for input: unknown');
  };

  it('prints nothing and waits on input: detected as waiting (unknown with ps); answered', async () => {
    const s = await startServer({ set: { 'input.quietAfter': '300ms' } });
    try {
      const r = await s.ok('bash', { command: fixture('silent-reader.sh'), background: true });
      const id = r.structuredContent.task_id;
      await waitFor(() => waiting(s, id), 'waiting_for_input');
      await s.ok('task_input', { task_id: id, text: 'hello', keys: ['enter'] });
      expect((await s.ok('task_status', { task_id: id, wait: 5 })).structuredContent.task.state).toBe('done');
      expect((await s.ok('task_output', { task_id: id })).structuredContent.output).toContain('got: hello');
      const p = await s.ok('bash', { command: fixture('silent-reader.sh'), background: true, pty: false });
      await waitFor(() => waiting(s, p.structuredContent.task_id), 'waiting_for_input over pipes');
      await s.ok('task_input', { task_id: p.structuredContent.task_id, eof: true });
      expect((await s.ok('task_status', { task_id: p.structuredContent.task_id, wait: 5 })).structuredContent.task.state).toBe('done');
      expect((await s.ok('task_output', { task_id: p.structuredContent.task_id })).structuredContent.output).toBe('got: ');
    } finally {
      await s.close();
    }
  });

  it.each([true, false])('closes its output early but keeps running (pty: %s): still running, then done', async (pty) => {
    const s = await startServer();
    try {
      const r = await s.ok('bash', { command: `${fixture('closes-stdout.sh')} 1`, background: true, pty });
      const id = r.structuredContent.task_id;
      await s.ok('task_output', { task_id: id, until: 'before closing', wait: 5 });
      expect((await s.ok('task_status', { task_id: id })).structuredContent.task.state).toBe('running');
      const st = await s.ok('task_status', { task_id: id, wait: 5 });
      expect(st.structuredContent.task).toMatchObject({ state: 'done', exit_code: 0 });
      expect((await s.ok('task_output', { task_id: id })).structuredContent.output).toBe('before closing');
    } finally {
      await s.close();
    }
  });

  it('spews binary under a terminal: summarised, not dumped', async () => {
    const s = await startServer();
    try {
      const r = await s.ok('bash', { command: fixture('binary.sh') });
      expect(r.structuredContent.output).toMatch(/^\[binary output: .* not shown as text/);
      expect((await s.ok('task_output', { task_id: r.structuredContent.task_id, tail: 5 })).structuredContent.binary).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('a single 50 MB line: every read capped, memory bounded', async () => {
    const s = await startServer();
    try {
      const r = await s.ok('bash', { command: fixture('long-line.sh'), yield_after: 0 });
      expect(r.structuredContent).toMatchObject({ state: 'done', truncated: true });
      expect(Buffer.byteLength(r.structuredContent.output)).toBeLessThan(20_000);
      expect(r.structuredContent.cursor).toBe(50_000_002);
      const tail = await s.ok('task_output', { task_id: r.structuredContent.task_id, tail: 1 });
      expect(Buffer.byteLength(tail.structuredContent.output)).toBeLessThan(20_000);
      const grep = await s.ok('task_output', { task_id: r.structuredContent.task_id, grep: 'b' });
      expect(grep.structuredContent.output).toMatch(/no line matches/);
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${s.pid}/status`, 'utf8'))![1]) * 1024;
      expect(hwm).toBeLessThan(250 * 1024 * 1024);
    } finally {
      await s.close();
    }
  });
});

describe('security', () => {
  it('data dir, records and logs are user-only', async () => {
    const s = await startServer();
    try {
      const r = await s.ok('bash', { command: 'echo secret' });
      const dir = path.join(s.dataDir, 'tasks', r.structuredContent.task_id);
      expect(fs.statSync(s.dataDir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(dir, 'record.json')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dir, 'output.log')).mode & 0o777).toBe(0o600);
    } finally {
      await s.close();
    }
  });
});

describe('a task recorded as ended', () => {
  it('has all its output in its log file from the moment its record says so (what a kill -9 right then would leave)', async () => {
    const s = await startServer();
    try {
      for (let i = 0; i < 10; i++) {
        const id = (await s.ok('bash', { command: `echo out-${i}`, background: true, pty: i % 2 === 0 })).structuredContent.task_id;
        const dir = path.join(s.dataDir, 'tasks', id);
        // Read the record as often as this process can, and the log in the same instant it first says done.
        const log = await waitFor(() => {
          try {
            if (readRecord(s.dataDir, id).state !== 'done') return null;
          } catch {
            return null; // being replaced right now
          }
          return { text: fs.readFileSync(path.join(dir, 'output.log'), 'utf8') };
        }, `task ${id} to be done`, 20_000, 0);
        expect(log.text, `task ${id}`).toBe(i % 2 === 0 ? `out-${i}\r\n` : `out-${i}\n`);
      }
    } finally {
      await s.close();
    }
  });
});
