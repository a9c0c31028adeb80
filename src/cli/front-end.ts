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
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildId, daemonLogPath, takeLine, WIRE_PROTOCOL, type Hello, type Refusal, type Welcome } from '../daemon/wire.js';
import { takeOpeningAnswer, takeOpeningBytes } from '../mcp/opening-answer.js';
import { VERSION } from '../version.js';
import { resolveDataDir, type FrontEndArgs } from './front-end-args.js';
import { CONNECT_WAIT_MS, fail, reach } from './daemon-reach.js';
import { LineTracker } from './relay-lines.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

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
