/**
 * The bgbash daemon: one per user, data dir and build. It owns every task of
 * the agent sessions it serves — their processes, the queue and its one
 * concurrency budget, the records and logs — and serves each session's MCP
 * stream over its session socket (session-host.ts). `bgbash serve` is the
 * front-end that starts it when none answers (cli/front-end.ts).
 *
 * It is started detached, in a session of its own, by a front-end; its
 * stderr goes to a log in the private runtime dir (wire.ts daemonLogPath). It exits by itself once it has had
 * no session and no live task for `daemon.idleExit`, or on SIGTERM/SIGINT
 * (`bgbash daemon stop`), ending its tasks as any server shutdown does.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig, type LoadOptions } from '../config.js';
import { startRuntime } from '../server-runtime.js';
import { VERSION } from '../version.js';
import { ownsLock, takeLock } from './daemon-lock.js';
import { startServices } from './server-services.js';
import { hostSession, liveTaskCount } from './session-host.js';
import { daemonLockPath, daemonSocketPath } from './wire.js';

const START_GRACE_MS = 10_000;
const MIN_QUIET_MS = 1000;

export interface DaemonOptions extends LoadOptions {
  /** The build id the front-end computed (wire.ts buildId): names the socket. */
  build: string;
}

export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const config = loadConfig({ ...opts, onWarning: (msg) => void process.stderr.write(`bgbash: warning: ${msg}\n`) });
  const where = daemonSocketPath(config.dataDir, opts.build);
  fs.mkdirSync(where.dir, { recursive: true, mode: 0o700 });
  const lockFile = daemonLockPath(config.dataDir, opts.build);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
  const holder = takeLock(lockFile, where.path);
  if (holder) {
    process.stderr.write(`bgbash: a daemon of this build already serves ${config.dataDir} (pid ${holder.pid}); exiting\n`);
    return;
  }
  const rt = await startRuntime(config);
  rt.updateInfo({ role: 'daemon', session: null });
  const notifier = rt.makeNotifier();
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  let sessions = 0;
  // The front-end that started us connects within moments: the idle clock starts after that grace.
  let idleSince = Date.now() + START_GRACE_MS;
  let exiting = false;
  const sockets = new Set<net.Socket>();
  const names = new Map<string, { pid: number; ending: boolean }>();
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    hostSession(sock, {
      rt,
      notifier,
      build: opts.build,
      ready,
      stopping: () => exiting,
      names,
      changed: (d) => {
        sessions += d;
        if (sessions === 0) idleSince = Date.now();
      },
    });
  });
  let control: { close(): Promise<void> } | null = null;
  const exit = async (why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    process.stderr.write(`bgbash: daemon ${rt.info.id} stopping (${why})\n`);
    // No new session from here: the socket goes first, so a front-end starts the next daemon (only our own: a
    // daemon that took a stale lock at the same moment may be the one listening there now).
    const own = ownsLock(lockFile);
    if (own) fs.rmSync(where.path, { force: true });
    server.close();
    await rt.stop(`the bgbash daemon stopped (${why})`);
    for (const s of sockets) s.destroy();
    await control?.close();
    if (own) fs.rmSync(lockFile, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void exit('SIGINT'));
  process.on('SIGTERM', () => void exit('SIGTERM'));
  process.on('SIGHUP', () => undefined);

  fs.rmSync(where.path, { force: true });
  const oldUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where.path, () => resolve());
    });
  } finally {
    process.umask(oldUmask);
  }
  process.stderr.write(`bgbash ${VERSION} daemon ${rt.info.id} (pid ${process.pid}) serving ${config.dataDir} on ${where.path}\n`);

  control = await startServices(rt, notifier, { session: rt.info.id, ready: markReady, ended: () => exiting });

  // The idle clock: no session and no live task for daemon.idleExit.
  const idleMs = config.daemon.idleExit;
  const tick = setInterval(() => {
    if (exiting) return;
    if (sessions > 0 || liveTaskCount(rt) > 0) {
      idleSince = Date.now();
      return;
    }
    // At least a second's quiet, also with idleExit 0: an ended task's notice is stored in its inbox just after it settles.
    if (Date.now() - idleSince >= Math.max(idleMs, MIN_QUIET_MS)) void exit(`idle for ${Math.round(idleMs / 1000)} s with no session and no task`);
  }, Math.min(1000, Math.max(100, idleMs / 4)));
  tick.unref();
  // Someone removed our socket (a data dir wiped, a new daemon of this build took over): nothing can reach us.
  const watch = setInterval(() => {
    if (!exiting && !fs.existsSync(where.path) && sessions === 0) void exit('its socket is gone');
  }, 5000);
  watch.unref();
}
