/**
 * Streamable HTTP for clients that connect by URL: loopback by default; token,
 * Host/Origin, timeouts and the session table are http-guard.ts's, checked
 * before any MCP server exists. Then one endpoint for both protocol eras:
 * - 2025-11-25 (`initialize`, `Mcp-Session-Id`): one MCP session per client,
 *   and notices pushed on each client's standalone GET stream;
 * - 2026-07-28 (a `_meta` envelope on every request, no sessions): the SDK's
 *   per-request handler; notices reach such clients in front of tool results
 *   and through tasks-extension handles.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { Era } from './peer.js';
import type { BgbashMcp } from './server.js';
import { checkRequest, guardedHttpServer, SessionTable, type HttpLimits } from './http-guard.js';

export interface HttpOptions {
  host: string;
  port: number;
  token: string;
  limits: HttpLimits;
  /** The session 2026-07-28 clients share (they have no protocol sessions). */
  session: string;
  /** A fresh MCP server: per 2025 client session (its own session), or per 2026 request (the shared one). */
  makeServer(session: string, era: Era, ownsSession: boolean): BgbashMcp;
}

export interface HttpServer {
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

function reply(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** A 2026-07-28 message says its protocol version in params._meta; 2025 ones never do. */
function isModern(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const meta = (m as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
    return typeof meta?.[PROTOCOL_VERSION_META_KEY] === 'string';
  });
}

export async function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const sessions = new SessionTable<{ transport: NodeStreamableHTTPServerTransport; mcp: BgbashMcp }>(opts.limits, (_id, s) => void s.transport.close());
  const server = guardedHttpServer(opts.limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const allowedHosts = [`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  const allowedOrigins = allowedHosts.map((h) => `http://${h}`);
  const modern = toNodeHandler(createMcpHandler(() => opts.makeServer(opts.session, 'modern', false).server, { legacy: 'reject' }));

  server.on('request', (req, res) => {
    void (async () => {
      const refused = checkRequest(req, opts.token, allowedHosts);
      if (refused) return reply(res, refused.status, refused.message);
      const sid = req.headers['mcp-session-id'];
      const existing = typeof sid === 'string' ? sessions.get(sid) : undefined;
      if (existing) sessions.track(sid as string, res);
      let body: unknown;
      if (req.method === 'POST') {
        try {
          body = await readBody(req);
        } catch (err) {
          return reply(res, 400, (err as Error).message);
        }
      }
      if (existing) return existing.transport.handleRequest(req, res, body);
      if (req.method === 'POST' && isModern(body)) return modern(req, res, body);
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        return reply(res, 400, typeof sid === 'string' ? `unknown session "${sid}": start a new one with initialize` : 'no session: send initialize first (2025-11-25), or a request with a _meta protocol version (2026-07-28)');
      }
      const full = sessions.refuseNew();
      if (full) return reply(res, full.status, full.message);
      const sessionId = randomUUID();
      const mcp = opts.makeServer(sessionId, 'legacy', true);
      const transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => sessionId,
        enableDnsRebindingProtection: true,
        allowedHosts,
        allowedOrigins,
        onsessioninitialized: (id): void => sessions.add(id, { transport, mcp }),
        onsessionclosed: (id) => {
          sessions.delete(id);
          void mcp.close();
        },
      });
      transport.onclose = () => {
        sessions.delete(sessionId);
        void mcp.close();
      };
      await mcp.server.connect(transport);
      await transport.handleRequest(req, res, body);
      // An initialize the transport refused (bad Accept, bad version) made no session: nothing may stay behind.
      if (!sessions.get(sessionId)) void mcp.close();
    })().catch((err: Error) => {
      if (!res.headersSent) reply(res, 500, `internal error: ${err.message}`);
    });
  });

  return {
    url: `http://${hostPart}:${port}/mcp`,
    sessions: () => sessions.size,
    close: async () => {
      sessions.close();
      await Promise.all(sessions.values().map((s) => s.mcp.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
