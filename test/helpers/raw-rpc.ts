/**
 * A built `bgbash serve` driven with raw JSON-RPC lines, as a hostile or
 * broken client would write them: any bytes, any size, reading its stdout
 * or not. The front-end relays them to the data dir's daemon, which serves
 * the session: its memory is read with `ps`.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { baseEnv, CLI, daemonLog, daemonOf, tempDir } from './server.js';
import { waitFor } from './wait.js';

export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  dataDir: string;
  /** Every message the server wrote, parsed, in order. */
  lines: any[];
  /** What bgbash said: the front-end's stderr, then the daemon's log. */
  stderr(): string;
  /** The process that owns the tasks and serves the session: the daemon (or the server itself, --no-daemon). */
  owner(): number;
  /** Raw bytes, as they are (add the newline yourself). */
  write(data: string | Buffer): void;
  send(msg: Record<string, unknown>): void;
  answer(id: unknown, timeoutMs?: number): Promise<any>;
  /** initialize (2025-11-25) and notifications/initialized. */
  initialize(): Promise<void>;
  /** tools/call with this id; resolves to the JSON-RPC answer. */
  call(id: number, name: string, args: Record<string, unknown>): Promise<any>;
  /** Stop reading the server's stdout (its pipe fills), and start again. */
  stopReading(): void;
  startReading(): void;
  /** The resident memory in MB of the process that serves the session (owner()), from ps. */
  rssMb(): number;
  /** Closes stdin and waits for the exit; resolves to the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

export const openRaw = new Set<RawServer>();

export function rssMb(pid: number): number {
  return Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024);
}

export function serveRaw(opts: { dataDir?: string; set?: Record<string, string | number> } = {}): RawServer {
  const dataDir = opts.dataDir ?? tempDir();
  const args = [CLI, 'serve', '--data-dir', dataDir];
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`);
  const child = spawn(process.execPath, args, { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: any[] = [];
  let out = '';
  let err = '';
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)));
      out = out.slice(nl + 1);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // The server may close its end first (that is what some tests check).
  child.stdin.on('error', () => undefined);
  const answer = (id: unknown, timeoutMs = 30_000): Promise<any> =>
    waitFor(() => lines.find((l) => l.id === id && ('result' in l || 'error' in l)), `the answer to request ${JSON.stringify(id)}`, timeoutMs);
  const raw: RawServer = {
    child,
    pid: child.pid!,
    dataDir,
    lines,
    stderr: () => err + daemonLog(dataDir),
    owner: () => daemonOf(dataDir)?.pid ?? child.pid!,
    write: (data) => void child.stdin.write(data),
    send: (msg) => void child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n'),
    answer,
    async initialize() {
      raw.send({ id: 'init', method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } } });
      await answer('init');
      raw.send({ method: 'notifications/initialized' });
    },
    call(id, name, a) {
      raw.send({ id, method: 'tools/call', params: { name, arguments: a } });
      return answer(id, 60_000);
    },
    stopReading() {
      child.stdout.off('data', onData);
      child.stdout.pause();
    },
    startReading() {
      child.stdout.on('data', onData);
      child.stdout.resume();
    },
    rssMb: () => rssMb(raw.owner()),
    async stop(timeoutMs = 20_000) {
      child.stdin.end();
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'the server to exit', timeoutMs);
      openRaw.delete(raw);
      return child.exitCode;
    },
    kill() {
      openRaw.delete(raw);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  openRaw.add(raw);
  return raw;
}
