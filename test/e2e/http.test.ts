/** `serve --http`: Streamable HTTP on loopback, bearer token, Host/Origin checks, pushed notices. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let proc: ChildProcess;
let url: string;
let token: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  proc = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--data-dir', dir], { env: baseEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const info = await waitFor(() => {
    const files = fs.existsSync(path.join(dir, 'servers')) ? fs.readdirSync(path.join(dir, 'servers')) : [];
    const parsed = files.length ? JSON.parse(fs.readFileSync(path.join(dir, 'servers', files[0]), 'utf8')) : null;
    return parsed?.http ? parsed : null;
  }, 'the HTTP server to start');
  url = info.http;
  token = fs.readFileSync(path.join(dir, 'run', `${info.id}.http-token`), 'utf8').trim();
  expect(fs.statSync(path.join(dir, 'run', `${info.id}.http-token`)).mode & 0o777).toBe(0o600);
});
afterAll(async () => {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
});

async function connect(name: string): Promise<Client> {
  const client = new Client({ name, version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

function raw(headers: Record<string, string>): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  });
}

describe('serve --http', () => {
  it('binds to loopback', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('rejects requests without the token, with a wrong token, a foreign Host or a foreign Origin', async () => {
    expect(await raw({})).toBe(401);
    expect(await raw({ authorization: 'Bearer nope' })).toBe(401);
    expect(await raw({ authorization: `Bearer ${token}`, host: 'evil.example:80' })).toBe(403);
    expect(await raw({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).toBe(403);
    expect(await raw({ authorization: `Bearer ${token}` })).toBe(200);
  });

  it('serves several clients at once; each hears of its own tasks on the standalone GET stream', async () => {
    const a = await connect('client-a');
    const b = await connect('client-b');
    const logsA: string[] = [];
    const logsB: string[] = [];
    a.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logsA.push(String(n.params.data)));
    b.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logsB.push(String(n.params.data)));
    const ra: any = await a.callTool({ name: 'bash', arguments: { command: 'sleep 0.3; echo from a', background: true } });
    const rb: any = await b.callTool({ name: 'bash', arguments: { command: 'echo from b' } });
    expect(rb.structuredContent).toMatchObject({ state: 'done', output: 'from b' });
    // No request is in flight when task a ends: the notice travels on a's GET stream.
    const idA = ra.structuredContent.task_id;
    await waitFor(() => logsA.find((l) => l.startsWith(`[Task #${idA} completed]`)), 'the pushed notice');
    expect(logsB.some((l) => l.includes(`#${idA} `))).toBe(false);
    const st: any = await b.callTool({ name: 'task_status', arguments: { task_id: idA } });
    expect(st.structuredContent.task.origin).toBe('client-a');
    await Promise.all([a.close(), b.close()]);
  });
});
