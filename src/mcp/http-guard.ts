/**
 * What stands between the network and an MCP session on `serve --http`,
 * kept apart from the transport so that swapping the MCP SDK's transport
 * does not undo it:
 * - the HTTP server's own limits: a connection that never finishes its
 *   headers is closed (408) after HEADERS_TIMEOUT_MS, a request body must
 *   arrive within REQUEST_TIMEOUT_MS, and at most `maxConnections` sockets
 *   are open at once — idle sockets cannot use up the process's descriptors
 *   (each task needs a few for its terminal);
 * - the checks every request passes before any MCP server object exists:
 *   path, bearer token (scheme case-insensitive, RFC 9110 §11.1), Host and
 *   Origin (DNS rebinding: a web page's request carries the page's origin);
 * - the session table: capped, and sessions idle for `sessionIdleMs` (no
 *   request, no open stream) are closed.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks the two timeouts above; the worst case for closing an idle socket is their sum. */
const CHECK_INTERVAL_MS = 2_000;

export interface HttpLimits {
  maxConnections: number;
  maxSessions: number;
  sessionIdleMs: number;
}

/** An HTTP server with the timeouts and the connection cap set. */
export function guardedHttpServer(limits: HttpLimits): http.Server {
  const server = http.createServer({ headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: CHECK_INTERVAL_MS });
  server.keepAliveTimeout = 5_000;
  server.maxConnections = limits.maxConnections;
  return server;
}

export interface Rejection {
  status: number;
  message: string;
}

/** Checks path, token, Host and Origin. Returns why the request is refused, or null. */
export function checkRequest(req: http.IncomingMessage, token: string, allowedHosts: readonly string[]): Rejection | null {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/mcp') return { status: 404, message: 'not found: the MCP endpoint is /mcp' };
  if (!tokenOk(req.headers.authorization, token)) {
    return { status: 401, message: 'unauthorized: send "Authorization: Bearer <token>" (bgbash prints where the token is at start)' };
  }
  const host = req.headers.host ?? '';
  if (!allowedHosts.includes(host.toLowerCase())) return { status: 403, message: `forbidden: Host "${host.slice(0, 100)}" is not this server` };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { status: 403, message: `forbidden: Origin "${origin.slice(0, 100)}" may not call this server` };
  }
  return null;
}

function tokenOk(header: string | undefined, token: string): boolean {
  const m = /^bearer +(\S+) *$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Entry<T> {
  value: T;
  lastSeen: number;
  inFlight: number;
}

/** Live MCP sessions: capped, and closed after `idleMs` without a request or an open stream. */
export class SessionTable<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: Pick<HttpLimits, 'maxSessions' | 'sessionIdleMs'>,
    /** Closes an expired session's transport and server. */
    private readonly expire: (id: string, value: T) => void,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(250, Math.min(60_000, limits.sessionIdleMs / 4)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Why a new session cannot be made now, or null. */
  refuseNew(): Rejection | null {
    return this.entries.size >= this.limits.maxSessions
      ? { status: 503, message: `too many MCP sessions (${this.entries.size}, the limit is http.maxSessions); close one, or wait for idle ones to expire` }
      : null;
  }

  add(id: string, value: T): void {
    this.entries.set(id, { value, lastSeen: Date.now(), inFlight: 0 });
  }

  get(id: string): T | undefined {
    return this.entries.get(id)?.value;
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  values(): T[] {
    return [...this.entries.values()].map((e) => e.value);
  }

  /** Marks a request of the session as in flight until its response closes (a GET stream may stay open for hours). */
  track(id: string, res: http.ServerResponse): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.inFlight++;
    e.lastSeen = Date.now();
    res.once('close', () => {
      e.inFlight--;
      e.lastSeen = Date.now();
    });
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.limits.sessionIdleMs;
    for (const [id, e] of this.entries) {
      if (e.inFlight === 0 && e.lastSeen < cutoff) {
        this.entries.delete(id);
        this.expire(id, e.value);
      }
    }
  }
}
