/**
 * The control socket inside `serve`: lets the CLI, the Tasks page, attach and
 * agent hooks see and steer this server's tasks. A unix socket in a user-only
 * directory, itself user-only.
 */
import fs from 'node:fs';
import net from 'node:net';
import { UserError, NotFoundError } from '../shared/errors.js';
import { MAX_SUBSCRIBER_BACKLOG_BYTES } from '../core/limits.js';
import { formatBytes } from '../shared/units.js';
import type { Task } from '../shared/task.js';
import type { Notice } from '../notify/notice.js';
import { handlers, type HandlerContext } from './handlers.js';
import { VERBS, type Event, type Request, type Response } from './protocol.js';

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

/** Refuses to start on a live socket; removes a stale one (its server is gone). */
async function clearStale(path: string): Promise<void> {
  if (!fs.existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another bgbash server is listening on ${path}`);
  fs.rmSync(path, { force: true });
}

export async function startControlServer(path: string, ctx: HandlerContext): Promise<ControlServer> {
  await clearStale(path);
  const conns = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => sock.destroy());
    serveConnection(sock, ctx);
  });
  const oldUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
  } finally {
    process.umask(oldUmask);
  }
  fs.chmodSync(path, 0o600);
  server.unref();
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
        fs.rmSync(path, { force: true });
      }),
  };
}

/** How long a dropped subscriber has to read what was queued and the reason, before its connection is cut. */
const DROPPED_GRACE_MS = 30_000;

function serveConnection(sock: net.Socket, ctx: HandlerContext): void {
  let buffer = '';
  const cleanups: Array<() => void> = [];
  const unsubscribe = (): void => void cleanups.splice(0).forEach((fn) => fn());
  let dropped = false;
  const send = (msg: Response | Event): void => {
    if (sock.destroyed || dropped) return;
    sock.write(JSON.stringify(msg) + '\n');
    // A subscriber that does not read would have every later event queued here, without end.
    if (sock.writableLength > MAX_SUBSCRIBER_BACKLOG_BYTES) drop();
  };
  const drop = (): void => {
    dropped = true;
    unsubscribe();
    const reason = `this connection had ${formatBytes(sock.writableLength)} of events it had not read, over the ${formatBytes(MAX_SUBSCRIBER_BACKLOG_BYTES)} a subscriber may fall behind; its subscription ended (connect and subscribe again to follow on)`;
    sock.end(JSON.stringify({ event: 'dropped', reason } satisfies Event) + '\n');
    setTimeout(() => sock.destroy(), DROPPED_GRACE_MS).unref();
  };
  sock.on('close', unsubscribe);
  sock.setEncoding('utf8');
  sock.on('data', (data: string) => {
    buffer += data;
    if (buffer.length > 16 * 1024 * 1024) return void sock.destroy(); // not a client of ours
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) void handleLine(line, ctx, send, cleanups);
    }
  });
}

async function handleLine(line: string, ctx: HandlerContext, send: (m: Response | Event) => void, cleanups: Array<() => void>): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
    if (typeof req !== 'object' || req === null || typeof req.id !== 'number') throw new Error('not a request');
  } catch {
    return send({ id: -1, ok: false, error: 'bad request: one JSON object per line, with id, verb and args', code: 'usage' });
  }
  if (!VERBS.includes(req.verb)) return send({ id: req.id, ok: false, error: `unknown verb "${String(req.verb)}"`, code: 'usage' });
  try {
    const args = (req.args ?? {}) as never;
    const result = req.verb === 'subscribe' ? subscribe(ctx, args, send, cleanups) : await (handlers[req.verb] as (c: HandlerContext, a: never) => unknown)(ctx, args);
    send({ id: req.id, ok: true, result });
  } catch (err) {
    const code = err instanceof NotFoundError ? 'not_found' : err instanceof UserError ? 'usage' : 'internal';
    send({ id: req.id, ok: false, error: (err as Error).message, code });
  }
}

function subscribe(ctx: HandlerContext, args: { output_of?: string[] }, send: (e: Event) => void, cleanups: Array<() => void>): { offsets: Record<string, number> } {
  const all = args.output_of?.includes('*') ?? false;
  const ids = new Set((args.output_of ?? []).filter((i) => i !== '*').map((ref) => ctx.manager.get(ref).id));
  const offsets: Record<string, number> = {};
  for (const id of ids) offsets[id] = ctx.manager.outputSize(id);
  const onTask = (task: Task): void => send({ event: 'task', task });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event args differ per event
  const forward: Record<string, (...args: any[]) => void> = {
    changed: onTask,
    created: onTask,
    output: (id: string, chunk: Buffer, stream: string): void => {
      if (stream !== 'stdout' || !(all || ids.has(id))) return;
      // The manager emits output after appending it to the log.
      send({ event: 'output', id, offset: Math.max(0, ctx.manager.outputSize(id) - chunk.length), data: chunk.toString('base64') });
    },
    detached: (id: string, reason: string): void => send({ event: 'detached', id, reason }),
    settled: (task: Task): void => send({ event: 'settled', task }),
  };
  const onNotice = (notice: Notice): void => send({ event: 'notice', notice });
  const manager = ctx.manager as unknown as NodeJS.EventEmitter;
  for (const [event, fn] of Object.entries(forward)) manager.on(event, fn);
  ctx.notifier.on('notice', onNotice);
  cleanups.push(() => {
    for (const [event, fn] of Object.entries(forward)) manager.off(event, fn);
    ctx.notifier.off('notice', onNotice);
  });
  return { offsets };
}
