/**
 * MCP over stdio, both protocol eras on one connection: the SDK's serveStdio
 * reads the client's opening message — `initialize` (2025-11-25: Claude Code
 * before 2.1.330, Codex, Gemini CLI, opencode, Cursor, VS Code) or
 * `server/discover` with a per-request `_meta` envelope (2026-07-28: Claude
 * Code ≥ 2.1.330) — and pins one instance of that era. A client that probes
 * with server/discover and then falls back to initialize gets its probe
 * instance closed and a 2025 one, so instances must be cheap and close clean.
 * The lines themselves are read and written by our LineTransport
 * (line-transport.ts), not the SDK's: it bounds what a client can make us
 * hold, answers what it cannot take, and knows which requests are owed.
 */
import type { Readable, Writable } from 'node:stream';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { LineTransport } from './line-transport.js';
import { takeOpeningAnswer, takeOpeningBytes, type OpeningAnswer } from './opening-answer.js';
import type { Era } from './peer.js';
import { TaskListenTap } from './task-listen.js';
import type { BgbashMcp } from './server.js';

/** In-process serve: at end of input, how long requests read before it may run before the shutdown stops their tasks. */
const END_GRACE_MS = 2000;
/** At close, how long requests still owed may take to be answered (their tasks stopped), and the output to leave. */
const ANSWER_WAIT_MS = 5000;
const FLUSH_WAIT_MS = 2000;

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
function takeOverOpening(transport: LineTransport, early: OpeningAnswer): void {
  const send = transport.send.bind(transport);
  let dropped = false;
  transport.send = (message, options) => {
    const m = message as { id?: unknown; result?: unknown; error?: unknown };
    if (dropped || m.id !== early.id || !('result' in m || 'error' in m)) return send(message, options);
    dropped = true;
    transport.answered(early.id);
    if (JSON.stringify(sorted(m.result)) !== JSON.stringify(sorted(early.result))) {
      process.stderr.write(`bgbash: internal error: the early answer to server/discover differs from the SDK's: ${JSON.stringify(m.result ?? m.error).slice(0, 2000)}\n`);
    }
    return Promise.resolve();
  };
}

/** JSON with object keys in order, to compare two answers. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]));
}

/** Settles when the transport has written its first response (result or error). */
function firstAnswer(transport: LineTransport): Promise<void> {
  return new Promise((resolve) => {
    const send = transport.send.bind(transport);
    transport.send = (message, options) => {
      const sent = send(message, options);
      if ('id' in message && ('result' in message || 'error' in message)) sent.then(resolve, resolve);
      return sent;
    };
  });
}

/** `serve --no-daemon`: the process's own stdio. */
export function serveMcpStdio(make: (era: Era, listen: TaskListenTap) => BgbashMcp, onClose: (why: string) => void): StdioServing {
  let serving: StdioServing | null = null;
  // Requests read before the end get a moment to finish as asked (`printf '…' | bgbash serve`);
  // what still runs then is stopped by the shutdown, and answered as stopped (close() waits for that).
  const ended = (why: string): void => void (why === 'stdin closed' ? serving!.answeredAll(END_GRACE_MS).then(() => onClose(why)) : onClose(why));
  serving = serveMcpStream(make, { input: process.stdin, output: process.stdout, early: takeOpeningAnswer(), prefix: takeOpeningBytes() }, ended);
  return serving;
}

interface McpStreams {
  input: Readable;
  output: Writable;
  /** The opening request answered before this (opening-answer.ts, or the front-end): the SDK's own answer to it is dropped. */
  early: OpeningAnswer | null;
  /** Bytes of the input read before (the launcher's look at the opening line, once stdin had ended). */
  prefix?: Buffer;
}

/** MCP over one byte stream pair: the process's stdio, or a daemon session's socket. */
export function serveMcpStream(make: (era: Era, listen: TaskListenTap) => BgbashMcp, io: McpStreams, onClose: (why: string) => void): StdioServing {
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const stdio = new LineTransport(io.input, io.output, {
    prefix: io.prefix,
    report: (line) => void process.stderr.write(line + '\n'),
    // The client closing our input is how stdio MCP sessions end.
    onInputEnd: (what) => {
      markEnded();
      onClose(what === 'input ended' ? 'stdin closed' : 'stdout closed');
    },
  });
  const early = io.early;
  if (early) takeOverOpening(stdio, early);
  // An early answer already went out: the rest of start-up need not wait.
  const answered = early ? Promise.resolve() : firstAnswer(stdio);
  // Under the SDK's entry: notifications/tasks for clients that listen for them.
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
  return {
    answeredAll: async (ms) => void (await stdio.whenAnswered(ms)),
    answeredEarly: early !== null,
    answered: Promise.race([answered, ended]),
    async close() {
      // Every request read before the end is answered first (the caller has stopped the tasks they waited for).
      if (!(await stdio.whenAnswered(ANSWER_WAIT_MS))) process.stderr.write(`bgbash: some requests were still unanswered ${ANSWER_WAIT_MS / 1000} s after the end of input\n`);
      await Promise.all([...live].map((m) => m.close()));
      await handle.close();
      await stdio.flush(FLUSH_WAIT_MS);
    },
  };
}
