/**
 * The answer to a client's opening `server/discover`, given before the rest
 * of bgbash (the MCP SDK and zod: over a megabyte to parse) is loaded.
 *
 * Why: Claude Code ≥ 2.1.330 opens stdio with that probe and gives it 3 s;
 * a late answer makes it fall back to 2025-11-25, where it uses no tasks and
 * an idle session never wakes. Loading everything first took 2–5 s on a busy
 * two-core machine; this small file answers in a few hundred milliseconds.
 *
 * Only a well-formed probe for 2026-07-28 is answered here; anything else
 * (initialize, other versions, a log level or progress token to honour) is
 * left to the SDK. Hand-over: the bytes read are put back on stdin, so the
 * SDK reads the same opening and pins the same era; its own answer to that
 * request is dropped (stdio.ts), after a check that it says the same. The
 * answer declares no Claude Code channel: config is not read yet, so a
 * connection answered here is served without channel events (serve.ts).
 */
import { VERSION } from '../version.js';
import { INSTRUCTIONS, SERVER_NAME, SERVER_TITLE, TASKS_EXTENSION } from './identity.js';

const MODERN = '2026-07-28';
const META = 'io.modelcontextprotocol/';
/** How long start-up waits for the client's first line before loading the rest anyway. */
const FIRST_LINE_WAIT_MS = 1000;
const MAX_FIRST_LINE = 1 << 20;
const GIVEN = Symbol.for('bgbash.openingAnswer');
const LEFT = Symbol.for('bgbash.openingBytes');

type Id = string | number;
export interface OpeningAnswer {
  id: Id;
  result: Record<string, unknown>;
}

/** What the SDK answers to server/discover for bgbash's 2026-07-28 instances (checked against it on every early answer). */
export function discoverResult(): Record<string, unknown> {
  return {
    supportedVersions: [MODERN],
    capabilities: { tools: { listChanged: true }, extensions: { [TASKS_EXTENSION]: {} }, experimental: {}, resources: { subscribe: true, listChanged: true } },
    instructions: INSTRUCTIONS,
    resultType: 'complete',
    ttlMs: 0,
    cacheScope: 'private',
    _meta: { [`${META}serverInfo`]: { name: SERVER_NAME, version: VERSION, title: SERVER_TITLE } },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request's id when it is a probe this file can answer exactly as the SDK would; else null. */
export function probeId(line: string): Id | null {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(msg) || msg.jsonrpc !== '2.0' || msg.method !== 'server/discover') return null;
  const id = msg.id;
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)))) return null;
  const meta = isObject(msg.params) ? msg.params._meta : undefined;
  if (!isObject(meta) || meta[`${META}protocolVersion`] !== MODERN || !isObject(meta[`${META}clientCapabilities`])) return null;
  const info = meta[`${META}clientInfo`];
  if (info !== undefined && !(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string')) return null;
  // Things the SDK would act on: left to it.
  if ('progressToken' in meta || `${META}logLevel` in meta) return null;
  return id;
}

/**
 * Reads stdin up to the client's first line (or a moment, or its end),
 * answers it if it is a server/discover probe, and puts everything read back
 * on stdin, paused, for the SDK (stdio.ts resumes it).
 */
export function answerOpening(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): Promise<void> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (line: string | null): void => {
      clearTimeout(timer);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      const id = line === null ? null : probeId(line);
      if (id !== null) {
        const result = discoverResult();
        (globalThis as Record<symbol, unknown>)[GIVEN] = { id, result } satisfies OpeningAnswer;
        stdout.write(JSON.stringify({ result, jsonrpc: '2.0', id }) + '\n');
      }
      if (chunks.length) {
        // Put back for the transport; a stream that has ended takes nothing back, so those bytes wait here.
        if (stdin.readableEnded) (globalThis as Record<symbol, unknown>)[LEFT] = Buffer.concat(chunks);
        else stdin.unshift(Buffer.concat(chunks));
      }
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const nl = chunk.indexOf(10);
      if (nl >= 0) finish(Buffer.concat(chunks).subarray(0, size - chunk.length + nl).toString('utf8'));
      else if (size > MAX_FIRST_LINE) finish(null);
    };
    const onEnd = (): void => finish(null);
    const timer = setTimeout(() => finish(null), FIRST_LINE_WAIT_MS);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
  });
}

/** The opening request answered here, if one was: its id and result. Read once, by the stdio entry. */
export function takeOpeningAnswer(): OpeningAnswer | null {
  const given = (globalThis as Record<symbol, unknown>)[GIVEN] as OpeningAnswer | undefined;
  delete (globalThis as Record<symbol, unknown>)[GIVEN];
  return given ?? null;
}

/** Bytes read before stdin ended (a client that wrote its requests and closed at once): the transport reads them first. */
export function takeOpeningBytes(): Buffer | undefined {
  const left = (globalThis as Record<symbol, unknown>)[LEFT] as Buffer | undefined;
  delete (globalThis as Record<symbol, unknown>)[LEFT];
  return left;
}
