/**
 * `bgbash serve` on stdio: the agent's MCP server process, as light as a byte
 * relay. It finds the daemon of its data dir and build (daemon/wire.ts),
 * starts it when none answers, says who the session is (Hello: the agent's
 * pid, directory, environment and flags), and then copies the client's
 * JSON-RPC lines to the daemon and the daemon's back, unchanged. It ends with
 * its agent: end of input half-closes the socket, the daemon ends the
 * session's tasks and closes, and this process exits.
 *
 * Runs in the launcher (dist/cli/main.js) before the bundle is parsed, so it
 * imports only node: modules and small leaves. The relay reads lines only to
 * know which requests are in flight: should the daemon die, each gets an
 * error answer at once, the agent is told, and a new daemon takes the
 * session over (its initialize replayed, so the client need not know).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildId, daemonLogPath, daemonSocketPath, takeLine, unsafeDir, WIRE_PROTOCOL, type Hello, type Refusal, type Welcome } from '../daemon/wire.js';
import { takeOpeningAnswer, takeOpeningBytes } from '../mcp/opening-answer.js';
import { VERSION } from '../version.js';
import { resolveDataDir, type FrontEndArgs } from './front-end-args.js';
import { LineTracker } from './relay-lines.js';

const CONNECT_WAIT_MS = 20_000;
const HERE = path.dirname(fileURLToPath(import.meta.url));

function fail(message: string): never {
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
async function reach(dataDir: string, build: string, args: FrontEndArgs, deadline: number): Promise<net.Socket> {
  const where = daemonSocketPath(dataDir, build);
  const unsafe = unsafeDir(where.dir);
  if (unsafe) fail(`refusing to put the daemon's socket in ${where.dir}: ${unsafe}, so another user could take it over or read what the agent sends. Remove it, set XDG_RUNTIME_DIR, or use a shorter --data-dir`);
  let daemon: { exited: () => boolean } | null = null;
  let starts = 0;
  let goneFor = 0;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const sock = await connectOnce(where.path);
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

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no log';
  }
}

/** The daemon went away between our connect and its answer (another one will do), or asks us to come again. */
class TryAgain extends Error {}

/** The daemon's answer line, or null when it is not one (its words quoted, controls and all, as inert text). */
function parseAnswer(line: string): Welcome | Refusal | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  const a = v as { ok?: unknown; error?: unknown; session?: unknown; daemon?: { id?: unknown; pid?: unknown } } | null;
  if (!a || typeof a !== 'object') return null;
  if (a.ok === false) return typeof a.error === 'string' ? (a as unknown as Refusal) : null;
  return a.ok === true && typeof a.session === 'string' && typeof a.daemon?.id === 'string' && Number.isSafeInteger(a.daemon?.pid) ? (a as unknown as Welcome) : null;
}

/** Sends the hello and reads the daemon's answer line; what follows it is MCP. */
function greet(sock: net.Socket, hello: Hello, logFile: string): Promise<{ welcome: Welcome; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const got = takeLine(buf);
      if (!got) return;
      sock.off('data', onData);
      sock.off('close', onClose);
      clearTimeout(timer);
      sock.pause();
      const answer = parseAnswer(got.line);
      if (!answer) return reject(new Error(`the bgbash daemon answered the session's hello with something that is not a bgbash answer: ${JSON.stringify(got.line.slice(0, 200)).replace(/[^\x20-\x7e]/g, '?')} (see ${logFile})`));
      if (!answer.ok) return reject(answer.stopping || answer.again ? new TryAgain(answer.error) : new Error(answer.error.replace(/[\x00-\x1f\x7f-\x9f]/g, '?')));
      resolve({ welcome: answer, rest: got.rest });
    };
    const onClose = (): void => {
      clearTimeout(timer);
      reject(new TryAgain('the daemon closed the connection before answering'));
    };
    // A daemon that takes the connection and never answers must not hold the agent's MCP server forever.
    const timer = setTimeout(() => {
      sock.off('close', onClose);
      sock.destroy();
      reject(new Error(`the bgbash daemon took the connection but did not answer within ${CONNECT_WAIT_MS / 1000} s (see ${logFile})`));
    }, CONNECT_WAIT_MS);
    // A daemon that dies or exits while answering resets the connection: the close that follows says so.
    sock.on('error', () => sock.destroy());
    sock.on('data', onData);
    sock.once('close', onClose);
    sock.write(JSON.stringify(hello) + '\n');
  });
}

export async function runFrontEnd(args: FrontEndArgs): Promise<void> {
  const env = process.env;
  const dataDir = resolveDataDir(args, env, process.cwd());
  const build = buildId(path.join(HERE, 'bgbash.js'));
  const early = takeOpeningAnswer();
  const base: Hello = {
    bgbash: 'session',
    protocol: WIRE_PROTOCOL,
    version: VERSION,
    build,
    pid: process.pid,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')),
    ...(args.session ? { session: args.session } : {}),
    ...(args.configFile ? { configFile: args.configFile } : {}),
    ...(Object.keys(args.overrides).length ? { overrides: args.overrides } : {}),
  };
  const lines = new LineTracker(early?.id ?? null);
  let inputEnded = false;
  let sock: net.Socket;
  let session: string | undefined;

  const open = async (resumed: boolean): Promise<void> => {
    // Back from a dead daemon: the session goes on under the same name.
    const hello: Hello = resumed ? { ...base, session } : { ...base, ...(early ? { answered: early } : {}) };
    let conn!: net.Socket;
    let got: { welcome: Welcome; rest: Buffer } | null = null;
    // A daemon that is just stopping (its idle exit) closes or refuses a new session: reach the next one;
    // one still ending a session of this name says to come again.
    for (const deadline = Date.now() + CONNECT_WAIT_MS; !got; ) {
      conn = await reach(dataDir, build, args, deadline);
      try {
        got = await greet(conn, hello, daemonLogPath(dataDir));
      } catch (err) {
        if (!(err instanceof TryAgain) || Date.now() > deadline) fail((err as Error).message);
        conn.destroy();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    sock = conn;
    session = got.welcome.session;
    for (const w of got.welcome.warnings ?? []) process.stderr.write(`bgbash: warning: ${w}\n`);
    if (!resumed) process.stderr.write(`bgbash ${VERSION} serving MCP on stdio (session ${session}, daemon ${got.welcome.daemon.id} pid ${got.welcome.daemon.pid}, data ${dataDir})\n`);
    if (resumed) for (const line of lines.replay()) conn.write(line);
    // The agent went while this front-end was between daemons (its end of input can come though stdin is paused):
    // the new daemon answers what was replayed and ends the session.
    if (inputEnded) conn.end();
    const onOut = (chunk: Buffer): void => {
      const out = lines.fromDaemon(chunk);
      if (out.length && !process.stdout.write(out)) {
        conn.pause();
        process.stdout.once('drain', () => conn.resume());
      }
    };
    if (got.rest.length) onOut(got.rest);
    conn.on('data', onOut);
    conn.on('error', () => conn.destroy());
    // The daemon ends its side only once the session is over (after our end of input), or when it dies:
    // either way this connection is done (allowHalfOpen would otherwise wait for our next write to fail).
    conn.once('end', () => conn.destroy());
    conn.once('close', () => {
      if (inputEnded) return void process.stdout.write('', () => process.exit(0));
      // The daemon died under a live session: answer what was in flight, tell the agent, go on with a new one.
      process.stdin.pause();
      process.stdout.write(lines.orphaned('the bgbash daemon stopped while this request ran; a new one serves this session now: try again'));
      process.stderr.write('bgbash: the daemon stopped; starting a new one for this session\n');
      void open(true);
    });
    conn.resume();
    if (resumed) process.stdin.resume();
  };

  await open(false);
  // What the launcher read before stdin ended (opening-answer.ts): a `printf '…' | bgbash serve` without a last newline.
  const left = takeOpeningBytes();
  if (left) {
    lines.fromClient(left);
    sock!.write(left);
  }
  process.stdin.on('data', (chunk: Buffer) => {
    lines.fromClient(chunk);
    if (!sock.write(chunk)) {
      process.stdin.pause();
      sock.once('drain', () => process.stdin.resume());
    }
  });
  const endInput = (): void => {
    if (inputEnded) return;
    inputEnded = true;
    sock.end();
  };
  process.stdin.on('end', endInput);
  // The launcher may have seen stdin end already (opening-answer.ts): 'end' does not come twice.
  if (process.stdin.readableEnded) endInput();
  process.stdout.on('error', endInput);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => (inputEnded ? process.exit(130) : endInput()));
  process.stdin.resume();
}
