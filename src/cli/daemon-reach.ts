/**
 * How a front-end reaches the daemon of its data dir and build: its socket
 * (or the one its lock names), else a daemon it starts, detached and nobody's
 * child, whose stderr goes to its log. Part of the launcher: node: modules and
 * leaves only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonLockPath, daemonLogPath, daemonSocketPath, unsafeDir } from '../daemon/wire.js';
import type { FrontEndArgs } from './front-end-args.js';

export const CONNECT_WAIT_MS = 20_000;
const HERE = path.dirname(fileURLToPath(import.meta.url));

export function fail(message: string): never {
  process.stderr.write(`bgbash: ${message}\n`);
  process.exit(1);
}

function connectOnce(socketPath: string): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const sock = net.connect({ path: socketPath, allowHalfOpen: true });
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', () => resolve(null));
  });
}

/**
 * Starts a daemon of this build for the data dir, its stderr into its log (wire.ts daemonLogPath).
 * Through `sh -c '… &'`: the daemon is the child of a shell that exits at
 * once, so it is nobody's child here — a client that ends its MCP server by
 * killing every process under it (opencode walks `pgrep -P`) cannot reach
 * the daemon, which serves other agents too. `detached`: its own session.
 */
async function startDaemon(dataDir: string, build: string, args: FrontEndArgs): Promise<{ exited: () => boolean }> {
  const logFile = daemonLogPath(dataDir);
  let log: number;
  try {
    // access() names the real cause (EROFS, EACCES) where a recursive mkdir says ENOENT.
    if (fs.existsSync(dataDir)) fs.accessSync(dataDir, fs.constants.W_OK);
    fs.mkdirSync(path.join(dataDir, 'run'), { recursive: true, mode: 0o700 });
  } catch (err) {
    fail(`cannot use the data dir ${dataDir}: ${(err as Error).message} (set another with --data-dir or BGBASH_DATA_DIR)`);
  }
  try {
    fs.mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    const unsafe = unsafeDir(path.dirname(logFile));
    if (unsafe) throw new Error(`${path.dirname(logFile)}: ${unsafe}, so another user could read or change it`);
    if ((fs.statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) > 1 << 20) fs.renameSync(logFile, `${logFile}.1`);
    log = fs.openSync(logFile, 'a', 0o600);
  } catch (err) {
    fail(`cannot open the daemon's log ${logFile}: ${(err as Error).message}`);
  }
  // The data dir as resolved (a relative one meant the agent's directory, not the daemon's /).
  const passOn: string[] = [];
  for (let i = 0; i + 1 < args.passOn.length; i += 2) {
    const [flag, value] = [args.passOn[i], args.passOn[i + 1]];
    if (flag !== '--data-dir' && !(flag === '--set' && value.startsWith('dataDir='))) passOn.push(flag, value);
  }
  const argv = [process.execPath, path.join(HERE, 'main.js'), 'daemon', 'run', '--data-dir', dataDir, ...passOn];
  const env: NodeJS.ProcessEnv = { ...process.env, BGBASH_DAEMON_BUILD: build };
  // It runs in /: a config file named relative to the agent's directory goes on absolute.
  if (env.BGBASH_CONFIG) env.BGBASH_CONFIG = path.resolve(env.BGBASH_CONFIG);
  const child = spawn('/bin/sh', ['-c', '"$@" </dev/null >&2 & echo $!', 'sh', ...argv], { detached: true, stdio: ['ignore', 'pipe', log], cwd: '/', env });
  fs.closeSync(log);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pid = Number(out.trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) fail(`could not start the bgbash daemon (sh said "${out.trim()}"): ${tail(logFile)}`);
  return { exited: () => !running(pid) };
}

/**
 * Whether pid runs. A zombie does not: where nothing reaps orphans promptly
 * (a container without an init, some VMs), a daemon that exited stays one for
 * a while, and must not pass for a live daemon that will open its socket soon.
 */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): launchd reaps orphans at once
  }
}

/** A session socket of this build's daemon, starting one when none answers (again if one it started went away). */
export async function reach(dataDir: string, build: string, args: FrontEndArgs, deadline: number): Promise<net.Socket> {
  const where = daemonSocketPath(dataDir, build);
  const unsafe = unsafeDir(where.dir);
  if (unsafe) fail(`refusing to put the daemon's socket in ${where.dir}: ${unsafe}, so another user could take it over or read what the agent sends. Remove it, set XDG_RUNTIME_DIR, or use a shorter --data-dir`);
  let daemon: { exited: () => boolean } | null = null;
  let starts = 0;
  let goneFor = 0;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const sock = (await connectOnce(where.path)) ?? (await connectNamed(dataDir, build, where.path));
    if (sock) return sock;
    if (Date.now() > deadline) fail(`no bgbash daemon answered on ${where.path} within ${CONNECT_WAIT_MS / 1000} s (see ${daemonLogPath(dataDir)})`);
    // None answers: start one. One that went away without a socket either failed, or lost the lock to
    // another front-end's (whose socket comes soon), or to a daemon that was just then stopping: start again.
    if (!daemon || (daemon.exited() && ++goneFor > 10)) {
      if (starts++ >= 3) fail(`the bgbash daemon could not start: ${tail(daemonLogPath(dataDir))}`);
      daemon = await startDaemon(dataDir, build, args);
      goneFor = 0;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * The socket a live daemon of this build named in its lock, when it is not where this front-end looked: one
 * started by an agent whose runtime dir differs (a long data dir's socket lives there). Its directory must be
 * this user's alone too.
 */
async function connectNamed(dataDir: string, build: string, looked: string): Promise<net.Socket | null> {
  let holder: { pid?: unknown; socket?: unknown };
  try {
    holder = JSON.parse(fs.readFileSync(daemonLockPath(dataDir, build), 'utf8'));
  } catch {
    return null;
  }
  const { pid, socket } = holder ?? {};
  if (typeof socket !== 'string' || socket === looked || !path.isAbsolute(socket) || typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || !running(pid)) return null;
  return unsafeDir(path.dirname(socket)) ? null : connectOnce(socket);
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no log';
  }
}
