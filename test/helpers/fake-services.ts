/**
 * One local HTTP server on 127.0.0.1 that plays the chat services' endpoints:
 * Slack (/services/…: 200 "ok"), Discord (/api/webhooks/…: 204), Telegram
 * (/bot<token>/sendMessage: {"ok":true,…}) and ntfy (any other path: 200 with
 * the message as JSON), and a generic webhook (/hook/…: 200). It records every
 * request; a test can queue other answers (429, 500) for a path first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

function defaultAnswer(path: string, body: string): Answer {
  if (path.startsWith('/services/')) return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  if (path.startsWith('/api/webhooks/')) return { status: 204 };
  if (/^\/bot[^/]+\/sendMessage$/.test(path)) return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 1 }, text: 'x' } }) };
  if (path.startsWith('/hook/')) return { status: 200, body: 'thanks' };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'abc', event: 'message', topic: path.slice(1), message: body.slice(0, 20) }) };
}

export interface FakeServices {
  url: string;
  received: Received[];
  /** Answers for the next requests to `path`, in order; after them, the service's usual answer. */
  queue(path: string, ...answers: Answer[]): void;
  /** Requests to paths starting with `prefix`. */
  to(prefix: string): Received[];
  close(): Promise<void>;
}

export async function startFakeServices(): Promise<FakeServices> {
  const received: Received[] = [];
  const queued = new Map<string, Answer[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ at: Date.now(), method: req.method ?? '', path, headers: req.headers, body });
      const answer = queued.get(path)?.shift() ?? defaultAnswer(path, body);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    queue(path, ...answers) {
      queued.set(path, [...(queued.get(path) ?? []), ...answers]);
    },
    to: (prefix) => received.filter((r) => r.path.startsWith(prefix)),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
