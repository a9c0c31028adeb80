/**
 * MCP over stdio, both protocol eras on one connection: the SDK's serveStdio
 * reads the client's opening message — `initialize` (2025-11-25: Claude Code
 * before 2.1.330, Codex, Gemini CLI, opencode, Cursor, VS Code) or
 * `server/discover` with a per-request `_meta` envelope (2026-07-28: Claude
 * Code ≥ 2.1.330) — and pins one instance of that era. A client that probes
 * with server/discover and then falls back to initialize gets its probe
 * instance closed and a 2025 one, so instances must be cheap and close clean.
 */
import type { Readable, Writable } from 'node:stream';
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
  /** Settles once every request received so far has been answered (or `ms` passed). */
  answeredAll(ms: number): Promise<void>;
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
function resumeOnStart(transport: Transport, input: Readable): void {
  const start = transport.start.bind(transport);
  transport.start = async () => {
    await start();
    input.resume();
  };
}

/** JSON with object keys in order, to compare two answers. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}

/** Requests received and not yet answered: so that end of input still gets every answer owed out first. */
function countOwed(transport: Transport): { none(ms: number): Promise<void> } {
  const open = new Set<string>();
  const idle: Array<() => void> = [];
  const start = transport.start.bind(transport);
  transport.start = async () => {
    // onmessage is set by the SDK before start(): wrap the one it set.
    const inner = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const m = message as { id?: unknown; method?: unknown };
      if (m.id !== undefined && typeof m.method === 'string') open.add(JSON.stringify(m.id));
      inner?.(message, extra);
    };
    await start();
  };
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    try {
      return await send(message, options);
    } finally {
      const m = message as { id?: unknown };
      if (m.id !== undefined && ('result' in message || 'error' in message)) {
        open.delete(JSON.stringify(m.id));
        if (open.size === 0) for (const f of idle.splice(0)) f();
      }
    }
  };
  return {
    none: (ms) =>
      open.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idle.push(resolve);
            setTimeout(resolve, ms).unref();
          }),
  };
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
  // The launcher may have seen stdin end already (opening-answer.ts): 'end' does not come twice.
  const serving = serveMcpStream(make, { input: process.stdin, output: process.stdout, early: takeOpeningAnswer(), resume: true }, onClose);
  // Many answers in flight at once each wait for stdout to drain: not a leak.
  process.stdout.setMaxListeners(0);
  return serving;
}

export interface McpStreams {
  input: Readable;
  output: Writable;
  /** The opening request answered before this (opening-answer.ts, or the front-end): the SDK's own answer to it is dropped. */
  early: OpeningAnswer | null;
  /** The input was left paused with the opening put back: resume it once the SDK listens. */
  resume?: boolean;
}

/** MCP over one byte stream pair: the process's stdio, or a daemon session's socket. */
export function serveMcpStream(make: (era: Era, listen: TaskListenTap) => BgbashMcp, io: McpStreams, onClose: (why: string) => void): StdioServing {
  // Under the SDK's entry: notifications/tasks for clients that listen for them.
  const stdio = new StdioServerTransport(io.input, io.output);
  const early = io.early;
  if (early) takeOverOpening(stdio, early);
  if (io.resume) resumeOnStart(stdio, io.input);
  // An early answer already went out: the rest of start-up need not wait.
  const answered = early ? Promise.resolve() : firstAnswer(stdio);
  const owed = countOwed(stdio);
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
  const endedEarly = io.input.readableEnded;
  const ended = endedEarly ? Promise.resolve() : new Promise<void>((resolve) => io.input.once('end', resolve));
  if (endedEarly) setImmediate(() => onClose('stdin closed'));
  // The client closing our input is how stdio MCP sessions end.
  io.input.on('end', () => onClose('stdin closed'));
  io.input.on('close', () => onClose('stdin closed'));
  io.output.on('error', () => onClose('stdout closed'));
  return {
    answeredAll: (ms) => owed.none(ms),
    answeredEarly: early !== null,
    answered: Promise.race([answered, ended]),
    async close() {
      await Promise.all([...live].map((m) => m.close()));
      await handle.close();
    },
  };
}
