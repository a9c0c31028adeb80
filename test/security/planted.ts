/** Planting hostile files for the security tests: records, and a raw control-socket request. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A complete, ended shell task record (as bgbash 0.1 wrote them), with fields overridden. */
export function endedRecord(over: Record<string, unknown>): Record<string, unknown> {
  return {
    id: '1',
    kind: 'shell',
    state: 'done',
    command: 'true',
    prompt: null,
    cwd: '/',
    env: {},
    name: null,
    origin: null,
    session: null,
    deliver_to: [],
    pty: true,
    timeout_ms: 60_000,
    server: 'deadbeef',
    retry_of: null,
    notify_on: null,
    created_at: '2001-01-01T00:00:00.000Z',
    output_bytes: 0,
    output_dropped: 0,
    tokens: 0,
    result: null,
    started_at: '2001-01-01T00:00:00.000Z',
    ended_at: '2001-01-01T00:00:01.000Z',
    exit_code: 0,
    signal: null,
    ...over,
  };
}

export function plantRecord(dir: string, record: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'record.json');
  fs.writeFileSync(file, JSON.stringify(record, null, 2));
  return file;
}

/** The socket of the (only) server registered in a data dir. */
export function serverSocket(dataDir: string): string {
  const dir = path.join(dataDir, 'servers');
  for (const f of fs.readdirSync(dir)) {
    const info = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    if (info.socket) return info.socket;
  }
  throw new Error('no server with a socket');
}

/** One raw request on the control socket, as any local process could send it. */
export function controlRequest(socket: string, verb: string, args: Record<string, unknown>): Promise<{ ok: boolean; error?: string; code?: string; result?: any }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socket);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify({ id: 1, verb, args }) + '\n'));
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        sock.destroy();
        resolve(JSON.parse(buf.slice(0, nl)));
      }
    });
    sock.on('error', reject);
  });
}
