/**
 * One agent session inside the daemon: a front-end's connection. It reads
 * the Hello (wire.ts), loads the session's config (its own directory and
 * environment decide the project config and trust, as they did when each
 * agent ran its own server), registers the session (servers/<id>.json with
 * the front-end's pid, which agent hooks find by ancestry, and a control
 * socket of its own), serves MCP over the rest of the stream, and on its end
 * ends the session's tasks.
 */
import net from 'node:net';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { socketPathFor } from '../control/socket-path.js';
import { checkSessionName } from '../shared/session-name.js';
import { isTerminal } from '../shared/task.js';
import { createMcpServer } from '../mcp/server.js';
import { serveMcpStream, type StdioServing } from '../mcp/stdio.js';
import type { Notifier } from '../notify/notifier.js';
import { processTable } from '../run/process-table.js';
import type { Runtime } from '../server-runtime.js';
import { newServerId, readServers, removeServerInfo, writeServerInfo, type ServerInfo } from '../store/servers.js';
import { VERSION } from '../version.js';
import { MAX_HELLO_BYTES, takeLine, WIRE_PROTOCOL, type Hello, type Refusal, type Welcome } from './wire.js';

export interface HostDeps {
  rt: Runtime;
  notifier: Notifier;
  build: string;
  /** Recovery of dead servers' tasks done: requests about tasks wait for it. */
  ready: Promise<void>;
  /** A session began or ended (the daemon's idle clock). */
  changed(delta: 1 | -1): void;
  /** The daemon is exiting: a new session is refused, so its front-end reaches the next daemon. */
  stopping(): boolean;
  /**
   * The session names this daemon serves (and the front-end pid of each), until the session is
   * wholly over: a second live session under one name would overwrite the first's environment,
   * directory and config, and its end would cancel the first's tasks.
   */
  names: Map<string, { pid: number; ending: boolean }>;
}

const HELLO_WAIT_MS = 10_000;
/** After the agent's input ends, answers still owed get this long to go out. */
const ANSWER_GRACE_MS = 3000;
/** What was asked just before the input ended may finish by itself first, as with `serve --no-daemon`. */
const FINISH_GRACE_MS = 2000;
/** A refused peer that never closes its end is let go after this: the daemon serves every agent, its fds with it. */
const REFUSED_LINGER_MS = 2000;

/** A session name still held: `again`, by a session that is ending (the front-end asks again in a moment). */
class NameTaken extends Error {
  constructor(message: string, readonly again: boolean) {
    super(message);
  }
}

export function hostSession(sock: net.Socket, deps: HostDeps): void {
  let buf = Buffer.alloc(0);
  // Through finish(): a Hello that comes after the refusal must not still register a session.
  const timer = setTimeout(() => finish(() => refuse(sock, 'no hello from the front-end in time')), HELLO_WAIT_MS);
  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    const got = takeLine(buf);
    if (!got) {
      if (buf.length > MAX_HELLO_BYTES) finish(() => refuse(sock, `the hello is over ${MAX_HELLO_BYTES} bytes`));
      return;
    }
    finish(() => {
      let hello: Hello;
      try {
        hello = checkHello(JSON.parse(got.line), deps.build);
      } catch (err) {
        return refuse(sock, (err as Error).message);
      }
      if (deps.stopping()) return refuse(sock, 'the bgbash daemon is stopping', { stopping: true });
      if (got.rest.length) sock.unshift(got.rest);
      try {
        serveSession(sock, hello, deps);
      } catch (err) {
        refuse(sock, err instanceof ConfigError || err instanceof Error ? err.message : String(err), err instanceof NameTaken && err.again ? { again: true } : {});
      }
    });
  };
  const finish = (then: () => void): void => {
    clearTimeout(timer);
    sock.off('data', onData);
    sock.pause();
    then();
  };
  sock.on('data', onData);
  sock.on('error', () => sock.destroy());
}

function refuse(sock: net.Socket, error: string, flags: { stopping?: true; again?: true } = {}): void {
  const refusal: Refusal = { ok: false, error, ...flags };
  sock.end(JSON.stringify(refusal) + '\n');
  // The socket is half-open (allowHalfOpen): a peer that never ends its side would keep it forever.
  const linger = setTimeout(() => sock.destroy(), REFUSED_LINGER_MS);
  linger.unref();
  sock.once('close', () => clearTimeout(linger));
}

function checkHello(v: unknown, build: string): Hello {
  const h = v as Hello;
  if (!h || typeof h !== 'object' || h.bgbash !== 'session') throw new Error('not a bgbash session hello');
  if (h.protocol !== WIRE_PROTOCOL || h.build !== build) throw new Error(`this daemon is bgbash ${VERSION} (build ${build}); the front-end is ${String(h.version)} (build ${String(h.build)})`);
  if (!Number.isSafeInteger(h.pid) || h.pid <= 0) throw new Error('hello: pid must be a positive integer');
  if (typeof h.cwd !== 'string' || !h.cwd.startsWith('/')) throw new Error('hello: cwd must be an absolute path');
  if (!h.env || typeof h.env !== 'object' || !Object.values(h.env).every((x) => typeof x === 'string')) throw new Error('hello: env must map names to strings');
  if (h.session !== undefined) checkSessionName(String(h.session));
  if (h.overrides !== undefined && (typeof h.overrides !== 'object' || !Object.values(h.overrides).every((x) => typeof x === 'string'))) throw new Error('hello: overrides must map keys to strings');
  return h;
}

function serveSession(sock: net.Socket, hello: Hello, deps: HostDeps): void {
  const { rt, notifier } = deps;
  const warnings: string[] = [];
  // The data dir is the daemon's: it chose this daemon (a session's config may name another only by mistake).
  const config: Config = { ...loadConfig({ cwd: hello.cwd, env: hello.env, configFile: hello.configFile, overrides: hello.overrides, onWarning: (m) => void warnings.push(m) }), dataDir: rt.config.dataDir };
  const id = newServerId();
  const session = hello.session ?? config.session ?? id;
  const holder = deps.names.get(session);
  if (holder) {
    throw new NameTaken(
      holder.ending
        ? `the session "${session}" is still ending on this bgbash daemon`
        : `this bgbash daemon already serves a session named "${session}" (front-end pid ${holder.pid}); two live sessions under one name would share their settings and end each other's tasks: give this one another name (--session, BGBASH_SESSION or the config's "session")`,
      holder.ending,
    );
  }
  const info: ServerInfo = {
    id,
    pid: hello.pid,
    starttime: processTable().stat(hello.pid)?.starttime ?? null,
    process_table: processTable().kind,
    started_at: new Date().toISOString(),
    cwd: hello.cwd,
    session,
    socket: null,
    client: null,
    http: null,
    daemon: rt.info.id,
  };
  const socketPath = socketPathFor(rt.paths, id, hello.env);
  const place = { cwd: hello.cwd, env: hello.env, config };
  warnings.push(...machineWide(config, rt.config));
  // A front-end back from a dead daemon leaves that daemon's entry for it behind: this one replaces it.
  for (const old of readServers(rt.paths)) if (old.pid === info.pid && old.daemon && old.daemon !== rt.info.id) removeServerInfo(rt.paths, old.id);
  rt.manager.sessions.open(session, place);
  try {
    writeServerInfo(rt.paths, info);
  } catch (err) {
    // Refused (the caller says why): nothing of the session may stay behind.
    rt.manager.sessions.close(session);
    throw err;
  }
  const hold = { pid: hello.pid, ending: false };
  deps.names.set(session, hold);
  deps.changed(1);
  const welcome: Welcome = { ok: true, session, server: id, daemon: { id: rt.info.id, pid: process.pid }, ...(warnings.length ? { warnings } : {}) };
  sock.write(JSON.stringify(welcome) + '\n');

  let control: { close(): Promise<void> } | null = null;
  let serving: StdioServing | null = null;
  let ended = false;
  const end = async (why: string): Promise<void> => {
    if (ended) return;
    ended = true;
    hold.ending = true;
    process.stderr.write(`bgbash: session ${session} (front-end pid ${hello.pid}) ending: ${why}\n`);
    try {
      // What the agent asked before its input ended gets a moment to finish on its own (a `printf … | bgbash
      // serve`); then the session's tasks end (a foreground call still waiting answers with that), every
      // request received is answered, and what those requests started ends too. The session's place
      // (environment, directory, config) stays until then: a task started meanwhile runs as the session's.
      await serving?.answeredAll(FINISH_GRACE_MS);
      const live = rt.manager.endSession(session, 'the agent session ended');
      await serving?.answeredAll(ANSWER_GRACE_MS);
      live.push(...rt.manager.endSession(session, 'the agent session ended'));
      await Promise.race([Promise.all(live.map((t) => rt.manager.processGone(t.id))), delay(ANSWER_GRACE_MS)]);
      await serving?.close().catch(() => undefined);
      await control?.close().catch(() => undefined);
    } finally {
      // Whatever failed above, the session is over: its entry goes, its name is free, and the idle clock counts it out.
      rt.manager.sessions.close(session);
      try {
        removeServerInfo(rt.paths, id);
      } catch (err) {
        process.stderr.write(`bgbash: session ${session}: cannot remove its entry in servers/: ${(err as Error).message}\n`);
      }
      rt.shells.forget(session);
      deps.names.delete(session);
      sock.end();
      deps.changed(-1);
    }
  };
  const channel = config.notices.channel;
  serving = serveMcpStream(
    (era, tap) =>
      createMcpServer(
        { manager: rt.manager, foreground: rt.foreground, shells: rt.shells, config, session: () => session, ready: deps.ready },
        {
          version: VERSION,
          notifier,
          channel: channel && !(hello.answered && era === 'modern'),
          era,
          ownsSession: true,
          listen: tap,
          onClient: (name) => {
            info.client = name;
            rt.manager.sessions.setAgent(session, name);
            if (!ended) writeServerInfo(rt.paths, info);
          },
        },
      ),
    { input: sock, output: sock, early: hello.answered ?? null },
    (why) =>
      void end(why === 'stdin closed' ? 'its input closed' : why).catch((err: Error) =>
        process.stderr.write(`bgbash: session ${session}: its end failed: ${err.stack ?? err.message}\n`),
      ),
  );
  // A rejection here must not end the daemon, which serves every other agent: the session goes on without its socket.
  void deps.ready.then(async () => {
    if (ended) return;
    const { startControlServer } = await import('../control/server.js');
    const socket = await startControlServer(socketPath, { manager: rt.manager, foreground: rt.foreground, notifier, info, session, wakeIdle: config.notices.wakeIdle, scope: 'session' });
    if (ended) return void socket.close();
    control = socket;
    info.socket = socket.path;
    writeServerInfo(rt.paths, info);
  }).catch((err: Error) => process.stderr.write(`bgbash: session ${session}: cannot open its control socket ${socketPath}: ${err.message}\n`));
}

/** Settings that belong to the daemon (the machine), not to a session: said when a session asks for others. */
const MACHINE_WIDE: Array<[string, (c: Config) => unknown]> = [
  ['background.maxConcurrentTasks', (c) => c.background.maxConcurrentTasks],
  ['retention.maxTasks', (c) => c.retention.maxTasks],
  ['retention.maxAge', (c) => c.retention.maxAge],
  ['daemon.idleExit', (c) => c.daemon.idleExit],
];

function machineWide(session: Config, daemon: Config): string[] {
  return MACHINE_WIDE.filter(([, get]) => get(session) !== get(daemon)).map(
    ([key, get]) => `${key} is ${String(get(session))} in this session's config, but the bgbash daemon already running uses ${String(get(daemon))} for every session (it is a setting of the machine); \`bgbash daemon stop\` and a new session apply it`,
  );
}

/** Tasks that keep the daemon from its idle exit: not ended, or ended with their processes or output not yet settled. */
export function liveTaskCount(rt: Runtime): number {
  return rt.manager.own().filter((t) => !isTerminal(t) || !rt.manager.isSettled(t.id)).length;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
