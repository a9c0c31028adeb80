/**
 * Issue 26, item 2: a data dir that fills up. On a real small tmpfs (the
 * tests run as root, as CI does; a machine where it cannot be mounted fails
 * here, naming why, rather than skipping): a task that ends while nothing can
 * be written says what was not saved and why, its end reaches the disk once
 * space returns, and the next server knows it; two servers on a data dir out
 * of inodes never hand out one id twice; a foreground call whose shell state
 * could not be saved blames the full disk, not the command.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { startServer, tempDir, text, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const mounts: string[] = [];

/** A fresh tmpfs of `size` and `inodes`; fails the test with the reason when it cannot be mounted. */
function tmpfs(size: string, inodes: number): string {
  const dir = tempDir('bgbash-fulldisk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},nr_inodes=${inodes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`these tests need a small tmpfs and could not mount one at ${dir} (run them as root, as CI does): ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  mounts.push(dir);
  return dir;
}

/** Fills the file system at `dir` with one file until no byte more fits; returns it (remove it to free the space). */
function fillBlocks(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // The last partial page too.
  try {
    for (;;) fs.writeSync(fd, chunk.subarray(0, 512));
  } catch {
    /* full */
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Uses every free inode of the file system at `dir` (empty files under `dir/inodes`); returns that directory. */
function fillInodes(dir: string): string {
  const at = path.join(dir, 'inodes');
  fs.mkdirSync(at);
  try {
    for (let i = 0; ; i++) fs.writeFileSync(path.join(at, String(i)), '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  return at;
}

const servers: TestServer[] = [];
async function server(dataDir: string, env: Record<string, string> = {}): Promise<TestServer> {
  const s = await startServer({ dataDir, env, set: { 'notices.channel': false, 'output.tailBytes': '4KiB' } });
  servers.push(s);
  return s;
}

beforeAll(() => undefined);
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  for (const dir of mounts) {
    try {
      execFileSync('umount', ['-l', dir]);
    } catch {
      /* left for the run's cleanup */
    }
  }
});

describe('a full data dir', () => {
  it('a background task that ends while nothing can be written: its notice says so; its end is on disk once space returns, and the next server knows it', async () => {
    const dataDir = tmpfs('8m', 4000);
    const s = await server(dataDir);
    const filler = fillBlocks(dataDir);
    // More than the 4 KiB kept in memory: some of it is lost for good, and the notice must say so.
    const r = await s.ok('bash', { command: 'seq 1 200000; echo "important result: 42"', background: true });
    const id = r.structuredContent.task_id;
    const notice = await waitFor(async () => {
      const got = await s.ok('task_list', { limit: 1 });
      return got.structuredContent.notices?.find((n: any) => n.task_id === id);
    }, `the notice of task ${id}`);
    expect(notice.text).toContain('important result: 42');
    expect(notice.text).toMatch(/Output not saved in full: (cannot write the output log \(ENOSPC|the output log could not be written while the data dir was full: [\d.]+ [KM]iB of output were lost)/);
    expect(notice.text).toMatch(/Record not saved: its record could not be saved \(ENOSPC[^)]*\); this server keeps it in memory and writes it again/);
    const status = await s.ok('task_status', { task_id: id });
    expect(text(status)).toMatch(/^Record: its record could not be saved/m);

    fs.rmSync(filler);
    // Retried: the record says done, and the output is in the log.
    await waitFor(() => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dataDir, 'tasks', id, 'record.json'), 'utf8')).state === 'done';
      } catch {
        return false;
      }
    }, 'the record on disk to say done', 20_000);
    await waitFor(() => fs.readFileSync(path.join(dataDir, 'tasks', id, 'output.log'), 'utf8').includes('important result: 42'), 'the output in its log', 20_000);
    expect(fs.readFileSync(path.join(dataDir, 'tasks', id, 'output.log'), 'utf8')).toMatch(/\[bgbash: [\d.]+ [KM]iB of output were not saved: the data dir was full while the task ran\]/);
    const after = await s.ok('task_status', { task_id: id });
    expect(text(after)).not.toMatch(/^Record:/m);

    await s.close();
    const next = await server(dataDir);
    const again = await next.ok('task_status', { task_id: id });
    expect(again.structuredContent.task).toMatchObject({ id, state: 'done', exit_code: 0 });
    expect((await next.ok('task_output', { task_id: id })).structuredContent.output).toContain('important result: 42');
  });

  it('two servers on a data dir out of inodes hand out different ids, and each finds its own', async () => {
    const dataDir = tmpfs('8m', 400);
    // Two owners of tasks on one data dir (not two sessions of one daemon): each serves on its own.
    const a = await server(dataDir, { BGBASH_DAEMON: '0' });
    const b = await server(dataDir, { BGBASH_DAEMON: '0' });
    const used = fillInodes(dataDir);
    const ra = await a.ok('bash', { command: 'sleep 30', background: true });
    const rb = await b.ok('bash', { command: 'sleep 30', background: true });
    expect(ra.structuredContent.task_id).not.toBe(rb.structuredContent.task_id);
    // Each server answers for its own task; the CLI reaches the right one.
    const cancel = await bgbash(dataDir, ['cancel', rb.structuredContent.task_id]);
    expect(cancel.stdout + cancel.stderr).not.toMatch(/no task/);
    expect((await b.ok('task_status', { task_id: rb.structuredContent.task_id })).structuredContent.task.state).toBe('cancelled');
    expect((await a.ok('task_status', { task_id: ra.structuredContent.task_id })).structuredContent.task.state).toBe('running');
    await a.ok('task_cancel', { task_id: ra.structuredContent.task_id });
    fs.rmSync(used, { recursive: true, force: true });
  });

  it('a foreground call whose shell state could not be saved says the disk was full, not that it ran exec', async () => {
    const dataDir = tmpfs('8m', 4000);
    const s = await server(dataDir);
    const filler = fillBlocks(dataDir);
    const r = await s.ok('bash', { command: 'cd /tmp && export FROM_FULL_DISK=1 && echo ran' });
    expect(text(r)).toContain('ran');
    expect(text(r)).toMatch(/were not kept \(the data dir .* is full \(no space left\), so the shell's state could not be saved\)/);
    expect(text(r)).not.toMatch(/exec or set its own EXIT trap/);
    fs.rmSync(filler);
  });
});
