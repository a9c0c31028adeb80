/** A fake model endpoint: an HTTP server on 127.0.0.1 that logs every request. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { ModelInput, Script, Turn } from './model.js';

export interface RawRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Endpoint {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every request the CLI sent, as it came. */
  requests: RawRequest[];
  /** The model calls among them, normalized, in order. */
  inputs: ModelInput[];
  /** Errors the script threw (the CLI got an HTTP 500); a scenario fails on any. */
  errors: unknown[];
  /** Replace the script (e.g. between phases of a scenario). */
  setScript(script: Script): void;
  close(): Promise<void>;
}

/** Per wire format: which requests are model calls, how to read them, how to answer. */
export interface Wire {
  /** Parses a model call; null for anything else (then `other` answers). */
  parse(req: RawRequest, seq: number): ModelInput | null;
  /** Writes the scripted turn back in this format. */
  reply(res: http.ServerResponse, turn: Turn, input: ModelInput): void;
  /** Answers a request that is not a model call (count tokens, model lists…). */
  other?(req: RawRequest, res: http.ServerResponse): void;
}

export async function startEndpoint(wire: Wire, script: Script): Promise<Endpoint> {
  const requests: RawRequest[] = [];
  const inputs: ModelInput[] = [];
  const errors: unknown[] = [];
  let current = script;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw: RawRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(raw);
      let input: ModelInput | null = null;
      try {
        input = wire.parse(raw, inputs.length);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `fake endpoint could not read the request: ${String(err)}` } }));
        return;
      }
      if (!input) {
        if (wire.other) wire.other(raw, res);
        else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not a model call"}}');
        return;
      }
      inputs.push(input);
      Promise.resolve()
        .then(() => current(input!, inputs))
        .then(
          (turn) => wire.reply(res, turn, input!),
          (err: unknown) => {
            errors.push(err);
            res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `script failed: ${String(err)}` } }));
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inputs,
    errors,
    setScript: (s) => (current = s),
    close: () =>
      new Promise<void>((resolve) => {
        dump(requests, inputs);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let dumps = 0;

/** BGBASH_AGENTS_DUMP=<dir>: keep every endpoint's requests as JSON there, to read what a CLI really sent. */
function dump(requests: RawRequest[], inputs: ModelInput[]): void {
  const dir = process.env.BGBASH_AGENTS_DUMP;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const name = `${(expect.getState().currentTestName ?? 'endpoint').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 120)}-${process.pid}-${++dumps}.json`;
  fs.writeFileSync(path.join(dir, name), JSON.stringify({ requests, inputs }, null, 2));
}

/** Server-sent events: `event:` (when given) and `data:` lines. */
export function sse(res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>, done?: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const e of events) res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`);
  if (done) res.write(`data: ${done}\n\n`);
  res.end();
}
