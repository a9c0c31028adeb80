/**
 * #12 case 7, `serve --http` against floods: idle connections that never
 * send a byte are closed within 30 s and capped; rejected requests build no
 * MCP server (RSS stays flat over 2,000 of them); sessions are capped and
 * expire; the Bearer scheme is case-insensitive. The server keeps answering.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Real servers on a loaded machine: generous deadlines; every wait inside is on a condition.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

let proc: ChildProcess;
let url: URL;
let token: string;

beforeAll(async () => {
  const dir = tempDir();
  const set = ['http.maxSessions=3', 'http.sessionIdle=2s', 'http.maxConnections=64'].flatMap((s) => ['--set', s]);
  proc = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--data-dir', dir, ...set], { env: baseEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const info = await waitFor(() => {
    const files = fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : [];
    const parsed = files.length ? JSON.parse(fs.readFileSync(path.join(dir, 'servers', files[0]), 'utf8')) : null;
    return parsed?.http ? parsed : null;
  }, 'the HTTP server to start', 30_000);
  url = new URL(info.http);
  token = fs.readFileSync(path.join(dir, 'run', `${info.id}.http-token`), 'utf8').trim();
});
afterAll(async () => {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
});

async function connect(name: string, scheme = 'Bearer'): Promise<Client> {
  const client = new Client({ name, version: '1' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `${scheme} ${token}` } } }));
  return client;
}

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

function post(headers: Record<string, string>, agent?: http.Agent, body = INIT): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rssKb(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]);
}

function openFds(): number {
  return fs.readdirSync(`/proc/${proc.pid}/fd`).length;
}

async function bashWorks(): Promise<void> {
  const c = await connect('check');
  const r: any = await c.callTool({ name: 'bash', arguments: { command: 'echo alive' } });
  expect(r.structuredContent).toMatchObject({ state: 'done', output: 'alive' });
  await c.close();
}

it('the Bearer scheme is case-insensitive; a wrong token still is not', async () => {
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) expect((await post({ authorization: `${scheme} ${token}` })).status).toBe(200);
  expect((await post({ authorization: `bearer x${token}` })).status).toBe(401);
  // Those initializes made sessions: they expire (http.sessionIdle=2s) without anyone closing them.
  await waitFor(async () => (await post({ authorization: `Bearer ${token}` })).status === 200, 'room for a session again', 30_000);
});

it('2,000 requests refused for Host or Origin build no MCP server: RSS stays within +10 MB', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const flood = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) =>
        post((i + j) % 2 ? { authorization: `Bearer ${token}`, origin: 'http://evil.example' } : { authorization: `Bearer ${token}`, host: 'evil.example' }, agent),
      );
      for (const r of await Promise.all(batch)) expect(r.status).toBe(403);
    }
  };
  await flood(1000); // warm up: JIT, buffers, the heap grown to its working size
  const before = rssKb();
  await flood(2000);
  const grown = rssKb() - before;
  agent.destroy();
  expect(grown).toBeLessThan(10 * 1024);
  await bashWorks();
});

it('sessions are capped (503 with a clear message) and idle ones expire', async () => {
  await waitFor(async () => (await post({ authorization: `Bearer ${token}` })).status === 200, 'earlier sessions to expire', 30_000);
  await waitFor(async () => {
    const r = await post({ authorization: `Bearer ${token}` });
    return r.status === 503 && /too many MCP sessions/.test(r.body) ? r : null;
  }, 'the session cap to be reached', 10_000);
  // Nobody closes them: after http.sessionIdle they are gone, and a client gets in.
  await waitFor(async () => (await post({ authorization: `Bearer ${token}` })).status === 200, 'idle sessions to expire', 30_000);
  const idleSid = (await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(String(res.headers['mcp-session-id']));
    });
    req.on('error', reject);
    req.end(INIT);
  }));
  // Each look is a request that keeps the session alive: look less often than http.sessionIdle.
  await waitFor(
    async () => {
      const r = await post({ authorization: `Bearer ${token}`, 'mcp-session-id': idleSid }, undefined, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
      return r.status === 400 && r.body.includes('unknown session');
    },
    'the idle session to expire',
    30_000,
    3_000,
  );
});

it('idle connections that never send a byte are closed within 30 s, capped, and bash keeps working', async () => {
  const fdsBefore = openFds();
  const t0 = Date.now();
  const sockets = Array.from({ length: 300 }, () => net.connect(Number(url.port), url.hostname));
  const closedAt: number[] = [];
  for (const s of sockets) {
    s.on('error', () => undefined);
    s.on('close', () => closedAt.push(Date.now() - t0));
    // Read what the server says (its 408), so its closing is seen here.
    s.resume();
  }
  await waitFor(() => sockets.every((s) => s.readyState !== 'opening'), 'the sockets to connect');
  // The cap holds: the server has at most http.maxConnections of them open.
  expect(openFds() - fdsBefore).toBeLessThanOrEqual(64 + 8);
  await waitFor(() => closedAt.length === sockets.length, 'the server to close every idle socket', 40_000);
  expect(Math.max(...closedAt)).toBeLessThan(30_000);
  await waitFor(() => openFds() <= fdsBefore + 8, 'the server to let go of their descriptors');
  await bashWorks();
});
