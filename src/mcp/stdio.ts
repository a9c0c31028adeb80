/**
 * MCP over stdio, both protocol eras on one connection: the SDK's serveStdio
 * reads the client's opening message — `initialize` (2025-11-25: Claude Code
 * before 2.1.330, Codex, Gemini CLI, opencode, Cursor, VS Code) or
 * `server/discover` with a per-request `_meta` envelope (2026-07-28: Claude
 * Code ≥ 2.1.330) — and pins one instance of that era. A client that probes
 * with server/discover and then falls back to initialize gets its probe
 * instance closed and a 2025 one, so instances must be cheap and close clean.
 */
import type { Transport } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { takeOpeningAnswer, type OpeningAnswer } from './opening-answer.js';
import type { Era } from './peer.js';
import { TaskListenTap } from './task-listen.js';
import type { BgbashMcp } from './server.js';

export interface StdioServing {
  /** The client's opening probe was answered before the SDK was loaded (opening-answer.ts): that answer declared no channel. */
  answeredEarly: boolean;
  /**
   * Settles once the first answer went out (Claude Code's `server/discover`
   * probe gives up after 3 s), or stdin ended: start-up work that no opening
   * answer needs waits for it.
   */
  answered: Promise<void>;
  close(): Promise<void>;
}

/**
 * The SDK's own answer to the request answered early is not sent twice; if it
 * says something else than the early one did, that is a bug, said on stderr.
 */
function takeOverOpening(transport: Transport, early: OpeningAnswer): void {
  const send = transport.send.bind(transport);
  let dropped = false;
  transport.send = (message, options) => {
    const m = message as { id?: unknown; result?: unknown; error?: unknown };
    if (dropped || m.id !== early.id || !('result' in m || 'error' in m)) return send(message, options);
    dropped = true;
    if (JSON.stringify(sorted(m.result)) !== JSON.stringify(sorted(early.result))) {
      process.stderr.write(`bgbash: internal error: the early answer to server/discover differs from the SDK's: ${JSON.stringify(m.result ?? m.error).slice(0, 2000)}\n`);
    }
    return Promise.resolve();
  };
}

/** The launcher read the opening and left stdin paused with those bytes put back (opening-answer.ts): reading resumes once the SDK listens. */
function resumeOnStart(transport: Transport): void {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    process.stdin.resume();
  };
}

/** JSON with object keys in order, to compare two answers. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}

/** Settles when the transport has written its first response (result or error). */
function firstAnswer(transport: Transport): Promise<void> {
  return new Promise((resolve) => {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      const sent = send(message, options);
      if ('id' in message && ('result' in message || 'error' in message)) sent.then(resolve, resolve);
      return sent;
    };
  });
}

export function serveMcpStdio(make: (era: Era, listen: TaskListenTap) => BgbashMcp, onClose: (why: string) => void): StdioServing {
  // Under the SDK's entry: notifications/tasks for clients that listen for them.
  const stdio = new StdioServerTransport();
  const early = takeOpeningAnswer();
  if (early) takeOverOpening(stdio, early);
  resumeOnStart(stdio);
  // An early answer already went out: the rest of start-up need not wait.
  const answered = early ? Promise.resolve() : firstAnswer(stdio);
  const wire = new TaskListenTap(stdio);
  const live = new Set<BgbashMcp>();
  const handle = serveStdio(
    ({ era }) => {
      const mcp = make(era, wire);
      live.add(mcp);
      const previous = mcp.server.server.onclose;
      mcp.server.server.onclose = () => {
        previous?.();
        live.delete(mcp);
      };
      return mcp.server;
    },
    {
      transport: wire,
      onerror: (err) => process.stderr.write(`bgbash: MCP: ${err.message}\n`),
    },
  );
  // The launcher may have seen stdin end already (opening-answer.ts): 'end' does not come twice.
  const endedEarly = process.stdin.readableEnded;
  const ended = endedEarly ? Promise.resolve() : new Promise<void>((resolve) => process.stdin.once('end', resolve));
  if (endedEarly) setImmediate(() => onClose('stdin closed'));
  // The client closing our stdin is how stdio MCP sessions end.
  process.stdin.on('end', () => onClose('stdin closed'));
  process.stdin.on('close', () => onClose('stdin closed'));
  process.stdout.on('error', () => onClose('stdout closed'));
  // Many answers in flight at once each wait for stdout to drain: not a leak.
  process.stdout.setMaxListeners(0);
  return {
    answeredEarly: early !== null,
    answered: Promise.race([answered, ended]),
    async close() {
      await Promise.all([...live].map((m) => m.close()));
      await handle.close();
    },
  };
}
