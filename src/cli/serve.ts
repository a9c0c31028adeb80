/**
 * `bgbash serve`: the MCP server for one agent session — on stdio (default),
 * or Streamable HTTP on loopback with `--http [host:]port` — plus the control
 * socket the CLI and hooks use.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type LoadOptions } from '../config.js';
import { socketPathFor } from '../control/socket-path.js';
import type { Era } from '../mcp/peer.js';
import type { TaskListenTap } from '../mcp/task-listen.js';
import { createMcpServer, type BgbashMcp } from '../mcp/server.js';
import { serveMcpStdio } from '../mcp/stdio.js';
import { validateTarget } from '../notify/targets.js';
import { startServices } from '../daemon/server-services.js';
import { startRuntime, type Runtime } from '../server-runtime.js';
import { VERSION } from '../version.js';
import { checkListen, isLoopback, parseListen } from './http-listen.js';

/** Start-up work (recovery, pruning, the control socket) waits this long at most for the client's opening request. */
const OPENING_WAIT_MS = 2000;

export interface ServeOptions extends LoadOptions {
  /** "[host:]port" for Streamable HTTP instead of stdio. */
  http?: string;
  /** Lets --http listen off loopback (a named address, never a wildcard). */
  allowRemote?: boolean;
}

function checkDeliverTargets(targets: string[]): void {
  for (const target of targets) {
    try {
      validateTarget(target);
    } catch (err) {
      throw new ConfigError(`bad config: "background.defaultDeliverTo": ${(err as Error).message.replace(/^deliver_to: /, '')}`);
    }
  }
}

export async function serve(opts: ServeOptions): Promise<void> {
  const listen = opts.http !== undefined ? parseListen(opts.http) : null;
  if (listen) checkListen(listen, opts.allowRemote === true);
  const config = loadConfig({ ...opts, onWarning: (msg) => void process.stderr.write(`bgbash: warning: ${msg}\n`) });
  checkDeliverTargets(config.background.defaultDeliverTo);
  const rt = await startRuntime(config);
  try {
    // Checked before any client is served: a socket directory someone else controls is a refusal at start.
    socketPathFor(rt.paths, rt.info.id);
  } catch (err) {
    await rt.stop('the control socket has no safe place');
    throw err;
  }
  const notifier = rt.makeNotifier();
  // Requests about tasks wait for recovery; the opening answers (discover, initialize) do not.
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // The opening probe answered before config was read declared no channel: that connection's 2026-07-28 instance sends none.
  let answeredEarly = false;
  const makeServer = (session: string, era: Era, ownsSession = true, tap?: TaskListenTap): BgbashMcp =>
    createMcpServer(
      { manager: rt.manager, foreground: rt.foreground, shells: rt.shells, config, session: () => session, ready },
      // Channels are a stdio feature of Claude Code.
      { version: VERSION, notifier, channel: config.notices.channel && !listen && !(answeredEarly && era === 'modern'), era, ownsSession, listen: tap, onClient: listen ? undefined : (client) => rt.updateInfo({ client }) },
    );

  let closeTransport: (() => Promise<void>) | undefined;
  // The start line is printed once the control socket is up: from then on `bgbash run`, `list` and `doctor` reach this server.
  let startLine = '';
  let control: { close(): Promise<void> } | null = null;
  let exiting = false;
  const exit = async (why: string, code = 0): Promise<void> => {
    if (exiting) return;
    exiting = true;
    // A second signal while stopping means "now".
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    await rt.stop(`the bgbash server shut down (${why})`);
    await control?.close();
    await closeTransport?.();
    process.exit(code);
  };
  process.on('SIGINT', () => void exit('SIGINT'));
  process.on('SIGTERM', () => void exit('SIGTERM'));
  process.on('SIGHUP', () => void exit('SIGHUP'));

  // The client's opening request (server/discover, initialize) is answered first; the rest of start-up follows.
  if (listen) ({ close: closeTransport, line: startLine } = await serveHttp(rt, listen, makeServer));
  else {
    const stdio = serveMcpStdio((era, tap) => makeServer(rt.session, era, true, tap), (why) => void exit(why));
    startLine = `bgbash ${VERSION} serving MCP on stdio (server ${rt.info.id}, session ${rt.session}, data ${rt.config.dataDir})\n`;
    closeTransport = stdio.close;
    answeredEarly = stdio.answeredEarly;
    if (answeredEarly && config.notices.channel) process.stderr.write('bgbash: notices.channel is on, but this client opened with server/discover, answered before the config was read: it gets notices through MCP tasks and tool results, not channel events\n');
    await Promise.race([stdio.answered, delay(OPENING_WAIT_MS)]);
  }
  control = await startServices(rt, notifier, { session: rt.session, ready: markReady, ended: () => exiting });
  // The session may have ended meanwhile: exit() closed what existed then.
  if (!control) return;
  process.stderr.write(startLine);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function serveHttp(rt: Runtime, listen: { host: string; port: number }, makeServer: (session: string, era: Era, ownsSession: boolean) => BgbashMcp): Promise<{ close: () => Promise<void>; line: string }> {
  const token = rt.config.http.token ?? randomBytes(24).toString('hex');
  const tokenFile = path.join(rt.paths.run, `${rt.info.id}.http-token`);
  fs.writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  // Loaded only here: the HTTP stack costs stdio servers start-up time.
  const { startHttp } = await import('../mcp/http.js');
  const limits = { maxConnections: rt.config.http.maxConnections, maxSessions: rt.config.http.maxSessions, sessionIdleMs: rt.config.http.sessionIdle };
  const http = await startHttp({ ...listen, token, makeServer, limits, session: rt.session });
  rt.updateInfo({ http: http.url });
  if (!isLoopback(listen.host)) {
    process.stderr.write(`bgbash: warning: listening on ${listen.host}, not loopback; anyone who can reach it and has the token can run commands as you\n`);
  }
  return {
    line: `bgbash ${VERSION} serving MCP on ${http.url} (server ${rt.info.id}); bearer token in ${tokenFile}\n`,
    close: async () => {
      await http.close();
      fs.rmSync(tokenFile, { force: true });
    },
  };
}
