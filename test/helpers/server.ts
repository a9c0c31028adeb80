/**
 * Starting the built server as an agent would: `node dist/cli/main.js serve`
 * through the MCP SDK's own stdio client, in a fresh temp data dir.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonLogPath } from '../../src/daemon/wire.js';
import { runId, RUN_ENV, trackDir } from './leftovers.js';
import { running } from './procs.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');
export const FIXTURES = path.join(ROOT, 'fixtures');

/** Temp dirs made by this test file; test/helpers/cleanup.ts removes them after it. */
export const createdDirs: string[] = [];

/** Whether the server with this pid has registered itself with its control socket in the data dir. */
export function registeredWithSocket(dataDir: string, pid: number): boolean {
  try {
    return fs.readdirSync(path.join(dataDir, 'servers')).some((f) => {
      try {
        const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'servers', f), 'utf8'));
        return info.pid === pid && Boolean(info.socket);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

export function tempDir(prefix = 'bgbash-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  createdDirs.push(dir);
  trackDir(dir);
  return dir;
}

export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    // Keep the user's real config out of tests.
    XDG_CONFIG_HOME: path.join(os.tmpdir(), 'bgbash-no-user-config'),
    // Marks every process the test starts, so an interrupted run can find and end them.
    [RUN_ENV]: runId(),
    // A test's daemon ends with its last session (and last task), as a server did before the daemon: nothing lingers.
    BGBASH_DAEMON_IDLE_EXIT: '0',
    // The process table the run tests (npm run test:ps sets ps): servers and CLIs read the same one.
    ...(process.env.BGBASH_PROCESS_TABLE ? { BGBASH_PROCESS_TABLE: process.env.BGBASH_PROCESS_TABLE } : {}),
    ...extra,
  };
}

export interface TestServer {
  client: Client;
  transport: StdioClientTransport;
  dataDir: string;
  pid: number;
  stderr: () => string;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: any }>;
  /** The pid of the process that owns the tasks: the daemon (or this front-end, served --no-daemon). */
  owner(): number;
  /** kill -9 of what owns the tasks (the daemon) and of this session's front-end; resolves once both are gone. */
  crash(): Promise<void>;
  /** Calls a tool and fails the test if it returned an error. */
  ok(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent: any }>;
  close(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  set?: Record<string, string | number>;
  env?: Record<string, string>;
  clientName?: string;
  capabilities?: Record<string, unknown>;
  /** The server's working directory (default: the repository). */
  cwd?: string;
  /** Another build of the CLI (e.g. a copy whose node_modules lack node-pty). */
  cli?: string;
  /** false: return once initialize is answered, before recovery and the control socket (default true). */
  ready?: boolean;
}

/** Servers this test file started and has not closed; test/helpers/cleanup.ts closes them after it. */
export const openServers = new Set<TestServer>();

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const args = [opts.cli ?? CLI, 'serve', '--data-dir', dataDir];
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`);
  const transport = new StdioClientTransport({ command: process.execPath, args, env: baseEnv(opts.env), stderr: 'pipe', cwd: opts.cwd ?? ROOT });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: opts.clientName ?? 'vitest', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
  await client.connect(transport);
  // initialize is answered first; recovery and the control socket follow. Ready when registered with its socket.
  const pid = transport.pid!;
  for (const deadline = Date.now() + 10_000; opts.ready !== false && !registeredWithSocket(dataDir, pid); ) {
    if (Date.now() > deadline) throw new Error(`server ${pid} did not register its control socket within 10 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const call = async (name: string, a: Record<string, unknown> = {}): Promise<any> => client.callTool({ name, arguments: a }, undefined, { timeout: 60_000 });
  const server: TestServer = {
    client,
    transport,
    dataDir,
    pid: transport.pid!,
    // What bgbash said: this front-end's stderr, then the daemon's log (where the owner of the tasks writes).
    stderr: () => stderr + daemonLog(dataDir),
    call,
    owner: () => daemonOf(dataDir)?.pid ?? server.pid,
    async crash() {
      const daemon = daemonOf(dataDir);
      // Stopped first, so it cannot start a new daemon in between.
      process.kill(server.pid, 'SIGSTOP');
      if (daemon) process.kill(daemon.pid, 'SIGKILL');
      process.kill(server.pid, 'SIGKILL');
      for (const p of [server.pid, daemon?.pid]) {
        for (const deadline = Date.now() + 10_000; p && running(p); ) {
          if (Date.now() > deadline) throw new Error(`process ${p} survived kill -9 for 10 s`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    },
    async ok(name, a = {}) {
      const r = await call(name, a);
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
      return r;
    },
    async close() {
      openServers.delete(server);
      await client.close();
    },
  };
  openServers.add(server);
  return server;
}

export function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

export function readRecord(dataDir: string, id: string): any {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'tasks', id, 'record.json'), 'utf8'));
}

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function daemonLog(dataDir: string): string {
  try {
    // The test servers get no XDG_RUNTIME_DIR (baseEnv): their daemons log in the temp dir.
    return fs.readFileSync(daemonLogPath(dataDir, {}), "utf8");
  } catch {
    return '';
  }
}

/** The live daemon of a data dir (servers/<id>.json with role "daemon"), or null. */
export function daemonOf(dataDir: string): { id: string; pid: number } | null {
  try {
    for (const f of fs.readdirSync(path.join(dataDir, 'servers'))) {
      try {
        const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'servers', f), 'utf8'));
        if (info.role !== 'daemon') continue;
        if (running(info.pid)) return { id: info.id, pid: info.pid };
      } catch {
        /* not a daemon, or gone */
      }
    }
  } catch {
    /* no data dir yet */
  }
  return null;
}
