/**
 * A 2026-07-28 client for the built server: the MCP SDK v2 `Client` pinned to
 * that revision (server/discover, a `_meta` envelope on every request), over
 * its own stdio transport. The SDK has no client side for the tasks extension
 * yet: it rejects a `resultType: "task"` answer, so a tap on the transport
 * keeps the raw answer, and tasks/get, tasks/update and tasks/cancel go
 * through the SDK's custom-method requests.
 */
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { z } from 'zod';
import { baseEnv, CLI, registeredWithSocket, ROOT, tempDir } from './server.js';
import { waitFor } from './wait.js';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export interface ModernServer {
  client: Client;
  dataDir: string;
  pid: number;
  stderr(): string;
  /** Every notification the server sent, as it came over the wire. */
  notifications: any[];
  /** A tools/call; a task handle comes back as `{handle}`, anything else as `{result}`. */
  call(name: string, args?: Record<string, unknown>): Promise<{ handle?: any; result?: any }>;
  tasksGet(taskId: string): Promise<any>;
  tasksCancel(taskId: string): Promise<any>;
  tasksUpdate(taskId: string, inputResponses: Record<string, unknown>): Promise<any>;
  close(): Promise<void>;
}

export interface ModernOptions {
  dataDir?: string;
  set?: Record<string, string | number>;
  /** More `serve` flags, e.g. ['--session', 'x']. */
  flags?: string[];
  /** Declare the tasks extension (default true). */
  tasks?: boolean;
  capabilities?: Record<string, unknown>;
  clientName?: string;
}

const loose = z.looseObject({});

/**
 * The SDK probes the SDK's own stdio transport on a throwaway sibling process;
 * a subclass probes in place, on the one connection, as Claude Code does
 * (server/discover first, then the session's requests).
 */
class InPlaceStdio extends StdioClientTransport {}

export async function startModern(opts: ModernOptions = {}): Promise<ModernServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const args = [CLI, 'serve', '--data-dir', dataDir];
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`);
  args.push(...(opts.flags ?? []));
  const transport = new InPlaceStdio({ command: process.execPath, args, env: baseEnv(), stderr: 'pipe', cwd: ROOT });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const capabilities = { ...(opts.capabilities ?? {}), ...(opts.tasks === false ? {} : { extensions: { [TASKS_EXTENSION]: {} } }) };
  const client = new Client({ name: opts.clientName ?? 'vitest-2026', version: '1.0.0' }, { capabilities, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(transport);
  const pid = transport.pid!;
  const handles = new Map<string | number, any>();
  const notifications: any[] = [];
  const inner = transport.onmessage!;
  transport.onmessage = (message: any, extra?: any) => {
    if (message?.result?.resultType === 'task') handles.set(message.id, message.result);
    if (message?.method && message.id === undefined) notifications.push(message);
    inner(message, extra);
  };
  await waitFor(() => registeredWithSocket(dataDir, pid), `server ${pid} to register its control socket`);
  return {
    client,
    dataDir,
    pid,
    stderr: () => stderr,
    notifications,
    async call(name, a = {}) {
      const before = new Set(handles.keys());
      try {
        return { result: await client.callTool({ name, arguments: a }, { timeout: 60_000 }) };
      } catch (err) {
        const fresh = [...handles.keys()].find((k) => !before.has(k));
        if (fresh === undefined) throw err;
        const handle = handles.get(fresh);
        handles.delete(fresh);
        return { handle };
      }
    },
    tasksGet: (taskId) => client.request({ method: 'tasks/get', params: { taskId } }, loose),
    tasksCancel: (taskId) => client.request({ method: 'tasks/cancel', params: { taskId } }, loose),
    tasksUpdate: (taskId, inputResponses) => client.request({ method: 'tasks/update', params: { taskId, inputResponses } }, loose),
    close: () => client.close(),
  };
}

/** Polls tasks/get as Claude Code does, at the handle's pollIntervalMs, until the task is terminal. */
export async function pollUntilDone(s: ModernServer, handle: { taskId: string; pollIntervalMs: number }, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await s.tasksGet(handle.taskId);
    if (['completed', 'failed', 'cancelled'].includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${handle.taskId} still ${t.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, handle.pollIntervalMs));
  }
}
