/**
 * MCP's stdio framing (one JSON-RPC message per line) over any pair of
 * streams: the server's stdin/stdout, or one connection of a socket.
 *
 * Why not the SDK's StdioServerTransport: one line over its 10 MB ReadBuffer
 * closed the transport and paused stdin for good (no later answer, and the
 * end of input never seen, so the server outlived its client); a malformed
 * line got a zod dump on stderr and no answer; and each message it wrote
 * waited for 'drain' with listeners of its own, unbounded. Here:
 * - reading never stops: a line over MAX_MESSAGE_BYTES is read past without
 *   being kept (its id found on the way, jsonrpc-scan.ts) and answered with
 *   an error naming the limit; malformed lines get -32700/-32600
 *   (jsonrpc-check.ts);
 * - end of input is reported to the owner (`onInputEnd`), who shuts down in
 *   order, answering first every request read before it (`whenAnswered`),
 *   then writing everything out (`flush`);
 * - what the client has not read is bounded: past OUTPUT_PAUSE_BYTES its
 *   requests are not read (back-pressure, as a pipe gives), and past
 *   MAX_UNREAD_OUTPUT_BYTES answers are replaced by a short error and
 *   notifications dropped. The client that stops reading is told, not
 *   dropped: its session and tasks go on, and it gets every answer it can.
 */
import type { Readable, Writable } from 'node:stream';
import { serializeMessage, type JSONRPCMessage, type Transport, type TransportSendOptions } from '@modelcontextprotocol/server';
import { MAX_MESSAGE_BYTES, MAX_UNREAD_OUTPUT_BYTES, OUTPUT_PAUSE_BYTES } from '../core/limits.js';
import { oneLine } from '../shared/printable.js';
import { formatBytes } from '../shared/units.js';
import { collectGarbage } from '../core/gc.js';
import { INVALID_REQUEST, parseLine, type Id } from './jsonrpc-check.js';
import type { TopLevelScan } from './jsonrpc-scan.js';
import { LineFramer, type Framed } from './line-framer.js';

/** Refusals logged per connection (each is still answered). */
const MAX_NOTED_REFUSALS = 50;
/** JSON-RPC's range for server errors: an answer withheld because the client does not read. */
const UNREAD_ERROR = -32000;

export interface LineTransportOptions {
  maxMessageBytes?: number;
  pauseAboveBytes?: number;
  maxUnreadBytes?: number;
  /** Bytes already read from `input` by someone else (the launcher's look at the opening line). */
  prefix?: Buffer;
  /** Notes for people (stderr): what was refused and why. */
  report?: (line: string) => void;
  /** The input ended, or the output broke (the client is gone): the owner shuts down. */
  onInputEnd?: (what: 'input ended' | 'output broke') => void;
}

type Msg = { id?: Id; method?: string; params?: { requestId?: Id }; result?: unknown; error?: unknown };

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  private readonly maxMessage: number;
  private readonly pauseAbove: number;
  private readonly maxUnread: number;
  private readonly report: (line: string) => void;
  private readonly framer: LineFramer;
  /** Requests read and not yet answered (by id; a count, should a client reuse one). */
  private readonly pending = new Map<Id, number>();
  private answerWaiters: Array<() => void> = [];
  private started = false;
  private closed = false;
  private ended = false;
  private paused = false;
  private withheld = 0;
  private refusals = 0;
  private collectAfterAnswers = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly opts: LineTransportOptions = {},
  ) {
    this.maxMessage = opts.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.pauseAbove = opts.pauseAboveBytes ?? OUTPUT_PAUSE_BYTES;
    this.maxUnread = opts.maxUnreadBytes ?? MAX_UNREAD_OUTPUT_BYTES;
    this.report = opts.report ?? (() => undefined);
    this.framer = new LineFramer(this.maxMessage, (framed) => this.onFramed(framed));
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('LineTransport already started');
    this.started = true;
    this.output.on('error', this.onOutputError);
    if (this.opts.prefix?.length) this.onData(this.opts.prefix);
    if (this.input.readableEnded || this.input.destroyed) return void setImmediate(this.onEnd);
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onInputError);
    // Someone may have paused it before us (the launcher does): a 'data' listener alone does not resume it.
    this.input.resume();
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const m = message as Msg;
    const isAnswer = m.method === undefined && m.id !== undefined;
    if (isAnswer) this.answered(m.id!);
    if (this.closed || this.output.destroyed || this.output.writableEnded) return Promise.resolve();
    const unread = this.output.writableLength;
    // Over the bound already: the message need not be written out (a big answer would be garbage at once).
    let json = unread >= this.maxUnread ? '' : serializeMessage(message);
    if (unread >= this.maxUnread || unread + json.length > this.maxUnread) {
      if (this.withheld++ === 0) {
        this.report(`bgbash: the client has not read ${formatBytes(unread)} of answers; until it reads, answers are replaced by an error and notifications dropped`);
        this.output.once('drain', this.caughtUp);
      }
      if (!isAnswer) return Promise.resolve();
      json = serializeMessage(this.withheldAnswer(m.id!, json.length || null, unread));
    }
    this.output.write(json);
    if (this.output.writableLength > this.pauseAbove) this.pauseReading();
    // Not waiting for 'drain' per message: reading pauses instead, and the bounds above hold.
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onInputError);
    this.input.pause();
    this.framer.clear();
    this.releaseWaiters();
    this.onclose?.();
  }

  /** A request's answer went out another way (the launcher's early answer, opening-answer.ts). */
  answered(id: Id): void {
    const n = this.pending.get(id);
    if (n === undefined) return;
    if (n > 1) this.pending.set(id, n - 1);
    else this.pending.delete(id);
    if (this.pending.size > 0) return;
    this.releaseWaiters();
    if (this.collectAfterAnswers) this.collect();
  }

  /** Settles true once every request read has been answered (false: `ms` passed first). */
  whenAnswered(ms: number): Promise<boolean> {
    if (this.pending.size === 0 || this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.answerWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Settles once everything written has left for the client (or `ms` passed, or the output broke). */
  flush(ms: number): Promise<void> {
    const out = this.output;
    if (out.writableLength === 0 || out.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      out.on('drain', done);
      out.on('close', done);
    });
  }

  private releaseWaiters(): void {
    const waiters = this.answerWaiters;
    this.answerWaiters = [];
    for (const w of waiters) w();
  }

  private withheldAnswer(id: Id, size: number | null, unread: number): JSONRPCMessage {
    const message = `The answer${size === null ? '' : ` (${formatBytes(size)})`} was not sent: the client has not read ${formatBytes(unread)} of earlier answers, over bgbash's limit of ${formatBytes(this.maxUnread)} unread. Read the server's output, then ask again.`;
    return { jsonrpc: '2.0', id, error: { code: UNREAD_ERROR, message, data: { unread_bytes: unread, limit_bytes: this.maxUnread } } } as JSONRPCMessage;
  }

  /**
   * The client read everything after falling behind: what the answers built
   * meanwhile (each request in flight held its whole answer) is garbage, but
   * an idle V8 may keep it for a long while (30 s and more, measured), so it
   * is collected now, once per such episode.
   */
  private readonly caughtUp = (): void => {
    this.report(`bgbash: the client read its answers again (${this.withheld} were replaced by an error)`);
    this.withheld = 0;
    // Requests still in flight hold answers of their own: after the last of them.
    this.collectAfterAnswers = true;
    if (this.pending.size === 0) this.collect();
  };

  private collect(): void {
    this.collectAfterAnswers = false;
    setImmediate(collectGarbage);
  }

  private pauseReading(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.input.pause();
    this.output.once('drain', () => {
      this.paused = false;
      if (!this.closed && !this.ended) this.input.resume();
    });
  }

  private readonly onData = (chunk: Buffer): void => this.framer.push(chunk);

  private onFramed(framed: Framed): void {
    if ('tooLarge' in framed) return this.tooLarge(framed.tooLarge, framed.bytes);
    const buf = framed.line;
    const line = buf.toString('utf8');
    if (!line.trim()) return;
    const checked = parseLine(line);
    if (!checked.ok) {
      const shown = line.length > 200 ? `${line.slice(0, 200)}… (${formatBytes(buf.length)})` : line;
      this.noteRefusal(`bgbash: MCP: refused a line from the client: ${checked.message}: ${shown}`);
      if (checked.answer) this.writeError(checked.id, checked.code, checked.message);
      return;
    }
    this.deliver(checked.message);
  }

  /**
   * Refusals go to the log, but not without end: a client writing garbage in a loop would fill the disk. They quote
   * the client (its line, a method name, member names): one line, no control characters, bounded, since the log's
   * tail is printed to a terminal.
   */
  private noteRefusal(line: string): void {
    if (++this.refusals <= MAX_NOTED_REFUSALS) this.report(oneLine(line, 600));
    else if (this.refusals === MAX_NOTED_REFUSALS + 1) this.report(`bgbash: MCP: more lines refused on this connection are answered but not logged`);
  }

  private tooLarge(scan: TopLevelScan, bytes: number): void {
    const id = scan.id();
    const method = scan.method();
    const what = method ? `${method} ${id === null ? 'message' : 'request'}` : 'message';
    const message = `Request too large: this ${what} is ${formatBytes(bytes)}, over bgbash's limit of ${formatBytes(this.maxMessage)} per JSON-RPC message (${this.maxMessage} bytes). Send big input in parts, or write it to a file and pass its path.`;
    this.noteRefusal(`bgbash: MCP: refused a ${formatBytes(bytes)} ${what}${id === null ? '' : ` (id ${JSON.stringify(id)})`}: over the ${formatBytes(this.maxMessage)} limit`);
    // A notification (a method and no id) gets no answer; anything else does, with id null when none could be found.
    if (method !== null && id === null) return;
    this.writeError(id, INVALID_REQUEST, message, { size_bytes: bytes, limit_bytes: this.maxMessage });
  }

  private deliver(message: JSONRPCMessage): void {
    const m = message as Msg;
    if (m.method !== undefined && m.id !== undefined && m.method !== 'subscriptions/listen') {
      // Answered when its subscription ends, not before: a listen never holds up an orderly exit.
      this.pending.set(m.id, (this.pending.get(m.id) ?? 0) + 1);
    } else if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) {
      // The SDK does not answer a request the client cancelled.
      this.answered(m.params.requestId);
    }
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  private writeError(id: Id | null, code: number, message: string, data?: Record<string, unknown>): void {
    void this.send({ jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } } as unknown as JSONRPCMessage);
  }

  private readonly onEnd = (): void => {
    if (this.ended || this.closed) return;
    this.ended = true;
    // A last line without its newline is still a message (or a cut one, answered as such).
    this.framer.end();
    this.opts.onInputEnd?.('input ended');
  };

  private readonly onInputError = (err: Error): void => {
    this.onerror?.(err);
  };

  private readonly onOutputError = (err: Error): void => {
    if (this.closed) return;
    // The client is gone: nothing more can reach it, and nothing it sent waits for an answer.
    this.pending.clear();
    this.releaseWaiters();
    this.onerror?.(err);
    this.opts.onInputEnd?.('output broke');
  };
}
