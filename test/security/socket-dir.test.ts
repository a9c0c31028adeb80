/**
 * #12 case 6: when the data dir is too long a path for a socket, the control
 * socket goes to $XDG_RUNTIME_DIR/bgbash, else $TMPDIR/bgbash-<uid> — and a
 * directory there that is not this user's alone (someone else's, a symlink,
 * mode 0777) is refused at start with a clear message; nothing is served.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { baseEnv, CLI, startServer, tempDir, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Real servers and CLIs on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const uid = process.getuid!();
const longDataDir = (): string => path.join(tempDir(), 'd'.repeat(60), 'e'.repeat(60));

let s: TestServer | undefined;
afterAll(async () => s?.close());

/** Runs `serve` as an agent would and waits for it to exit (it must refuse); kills it if it does not. */
async function serveExpectingRefusal(dataDir: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir], { env: baseEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let code: number | null | undefined;
  child.on('exit', (c) => (code = c));
  try {
    await waitFor(() => code !== undefined, `serve to refuse and exit (stderr: ${stderr})`, 30_000);
  } finally {
    if (code === undefined) child.kill('SIGKILL');
  }
  return { code: code ?? null, stderr };
}

it('prefers $XDG_RUNTIME_DIR/bgbash (made 0700), and the CLI reaches the server there', async () => {
  const xdg = tempDir();
  const dataDir = longDataDir();
  s = await startServer({ dataDir, env: { XDG_RUNTIME_DIR: xdg, TMPDIR: tempDir() } });
  const dir = path.join(xdg, 'bgbash');
  const st = fs.lstatSync(dir);
  expect(st.isDirectory() && st.uid === uid && (st.mode & 0o777) === 0o700).toBe(true);
  expect(fs.readdirSync(dir).some((f) => f.endsWith('.sock'))).toBe(true);
  await s.ok('bash', { command: 'echo via xdg' });
  const list = await bgbash(dataDir, ['list', '--json'], { XDG_RUNTIME_DIR: xdg });
  expect(JSON.parse(list.stdout)[0]).toMatchObject({ id: '1', state: 'done' });
});

it.each([
  ['another user owns it', (dir: string) => (fs.mkdirSync(dir, { mode: 0o700 }), fs.chownSync(dir, 65534, 65534)), /it belongs to uid 65534, not to you/],
  ['it is a symlink to a directory of ours', (dir: string) => fs.symlinkSync(tempDir(), dir), /it is a symlink/],
  ['its mode is 0777', (dir: string) => (fs.mkdirSync(dir), fs.chmodSync(dir, 0o777)), /its mode is 0777, not 0700/],
])('$TMPDIR/bgbash-<uid> is refused when %s: serve exits naming it, no socket is made', async (_what, plant, reason) => {
  const tmp = tempDir();
  const dir = path.join(tmp, `bgbash-${uid}`);
  plant(dir);
  const dataDir = longDataDir();
  const r = await serveExpectingRefusal(dataDir, { TMPDIR: tmp });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`refusing to put the daemon's socket in ${dir}`);
  expect(r.stderr).toMatch(reason);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.sock'))).toEqual([]);
  // Refused before anything was registered (the front-end refuses before the data dir is even made).
  const servers = path.join(dataDir, 'servers');
  expect(fs.existsSync(servers) ? fs.readdirSync(servers) : []).toEqual([]);
});
