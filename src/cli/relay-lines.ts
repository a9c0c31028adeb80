/**
 * What the front-end's relay knows of the JSON-RPC lines it copies: which of
 * the client's requests still wait for an answer, and the client's opening
 * (initialize and its notification), so that a new daemon can be given the
 * same opening if the first dies. Bytes pass through unchanged; only answers
 * to the relay's own replayed requests are held back.
 */
import { MAX_MESSAGE_BYTES } from '../core/limits.js';

type Id = string | number;
const key = (id: Id): string => JSON.stringify(id);
const REPLAY_ID = 'bgbash-front-end-replay';

function parse(line: Buffer): { id?: Id; method?: string; result?: unknown; error?: unknown } | null {
  try {
    const v = JSON.parse(line.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * Complete lines out of a stream's chunks, with what is left of the last one
 * kept for the next (as pieces, joined once: a big line in small chunks is
 * not copied over and over). With `maxLine`, a longer line is not kept at
 * all: it is left out (the daemon answers it; the relay has no use for it).
 */
class Lines {
  private pieces: Buffer[] = [];
  private size = 0;
  private skipping = false;
  constructor(private readonly maxLine = Infinity) {}

  split(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const tail = chunk.subarray(start, nl + 1);
      if (!this.skipping && this.size + tail.length <= this.maxLine) out.push(this.size ? Buffer.concat([...this.pieces, tail]) : tail);
      this.pieces = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length && !this.skipping) {
      this.pieces.push(Buffer.from(rest));
      this.size += rest.length;
      if (this.size > this.maxLine) {
        this.pieces = [];
        this.size = 0;
        this.skipping = true;
      }
    }
    return out;
  }

  /** The start of the line not finished yet (null: none, or one too long to keep). */
  unfinished(): Buffer | null {
    return this.size && !this.skipping ? Buffer.concat(this.pieces) : null;
  }

  /** Forgets the unfinished line: what a dead daemon began must not be glued to the next one's first line. */
  reset(): void {
    this.pieces = [];
    this.size = 0;
    this.skipping = false;
  }
}

export class LineTracker {
  private readonly pending = new Map<string, Id>();
  // The client's lines are only read for their ids: one over the message limit is the daemon's to refuse.
  private readonly client = new Lines(MAX_MESSAGE_BYTES);
  private readonly daemon = new Lines();
  private initialize: Record<string, unknown> | null = null;
  private initialized: Buffer | null = null;

  /**
   * `early`: the id of the opening request the launcher answered itself
   * (mcp/opening-answer.ts). The daemon's answer to it is dropped, so it is
   * not waited for: a dead daemon must not make it answered twice.
   */
  constructor(private early: Id | null = null) {}

  fromClient(chunk: Buffer): void {
    for (const line of this.client.split(chunk)) {
      const msg = parse(line);
      if (!msg || typeof msg.method !== 'string') continue;
      if (msg.method === 'initialize' && this.initialize === null) this.initialize = msg as Record<string, unknown>;
      if (msg.method === 'notifications/initialized') this.initialized = Buffer.from(line);
      if (typeof msg.id !== 'string' && typeof msg.id !== 'number') continue;
      if (this.early !== null && key(msg.id) === key(this.early)) {
        this.early = null;
        continue;
      }
      this.pending.set(key(msg.id), msg.id);
    }
  }

  /** The daemon's bytes to pass on: all of them but answers to the relay's replay. */
  fromDaemon(chunk: Buffer): Buffer {
    const keep: Buffer[] = [];
    for (const line of this.daemon.split(chunk)) {
      const msg = parse(line);
      if (msg && msg.id !== undefined && ('result' in msg || 'error' in msg)) {
        if (msg.id === REPLAY_ID) continue;
        this.pending.delete(key(msg.id));
      }
      keep.push(line);
    }
    return keep.length === 1 ? keep[0] : Buffer.concat(keep);
  }

  /** Error answers for every request still waiting (the daemon that had them is gone); forgets them. */
  orphaned(message: string): string {
    const out = [...this.pending.values()].map((id) => JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message } }) + '\n');
    this.pending.clear();
    this.daemon.reset();
    return out.join('');
  }

  /**
   * What to give a new daemon: the client's initialize under the relay's own id, and its notification; then the
   * start of a request the client was sending when the old daemon died (its rest comes next from the client).
   */
  replay(): Buffer[] {
    const out: Buffer[] = [];
    if (this.initialize) out.push(Buffer.from(JSON.stringify({ ...this.initialize, id: REPLAY_ID }) + '\n'));
    if (this.initialize && this.initialized) out.push(this.initialized);
    const started = this.client.unfinished();
    if (started) out.push(started);
    return out;
  }
}
