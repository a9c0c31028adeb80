/**
 * `bgbash serve` answers a client's opening server/discover before it loads
 * the MCP SDK (Claude Code ≥ 2.1.330 gives that probe 3 s), and the SDK then
 * serves the same connection: its own answer to the probe is dropped after a
 * check that it says the same (a difference is printed on stderr, and fails
 * here). Raw JSON-RPC lines over the built server's stdio, as Claude Code
 * sends them.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const META = 'io.modelcontextprotocol/';
const envelope = { [`${META}protocolVersion`]: '2026-07-28', [`${META}clientInfo`]: { name: 'claude-code', version: '2.1.330' }, [`${META}clientCapabilities`]: { extensions: { [`${META}tasks`]: {} }, elicitation: {} } };

interface Raw {
  child: ChildProcessWithoutNullStreams;
  lines: any[];
  stderr: () => string;
  send(msg: Record<string, unknown>): void;
  answer(id: number): Promise<any>;
  stop(): Promise<void>;
}

function serveRaw(): Raw {
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', tempDir()], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: any[] = [];
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)));
      out = out.slice(nl + 1);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    lines,
    stderr: () => err,
    send: (msg) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n'),
    answer: (id) => waitFor(() => lines.find((l) => l.id === id && ('result' in l || 'error' in l)), `the answer to request ${id}`, 20_000),
    async stop() {
      child.stdin.end();
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'the server to exit', 15_000);
    },
  };
}

describe('the opening server/discover', () => {
  it('is answered once, as the SDK answers it, and the SDK serves the rest of the connection', async () => {
    const s = serveRaw();
    try {
      s.send({ id: 0, method: 'server/discover', params: { _meta: envelope } });
      const discover = await s.answer(0);
      expect(discover.result).toMatchObject({ supportedVersions: ['2026-07-28'], capabilities: { extensions: { [`${META}tasks`]: {} } }, _meta: { [`${META}serverInfo`]: { name: 'bgbash' } } });
      expect(discover.result.capabilities.experimental).toEqual({});
      s.send({ id: 1, method: 'tools/list', params: { _meta: envelope } });
      const tools = await s.answer(1);
      expect(tools.result.tools.map((t: { name: string }) => t.name)).toContain('bash');
      // The SDK answered the replayed probe too: that answer was compared and dropped, not sent.
      await waitFor(() => /serving MCP on stdio/.test(s.stderr()), 'the server to start');
      expect(s.lines.filter((l) => l.id === 0)).toHaveLength(1);
      expect(s.stderr()).not.toMatch(/internal error/);
    } finally {
      await s.stop();
    }
  });

  it('a client that falls back to initialize on the same connection gets 2025-11-25', async () => {
    const s = serveRaw();
    try {
      s.send({ id: 0, method: 'server/discover', params: { _meta: envelope } });
      await s.answer(0);
      s.send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'claude-code', version: '2.1.330' } } });
      const init = await s.answer(1);
      expect(init.result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'bgbash' } });
      s.send({ method: 'notifications/initialized' });
      s.send({ id: 2, method: 'tools/call', params: { name: 'bash', arguments: { command: 'echo fell-back' } } });
      const call = await s.answer(2);
      expect(call.result.structuredContent).toMatchObject({ state: 'done', output: 'fell-back' });
      expect(s.stderr()).not.toMatch(/internal error/);
    } finally {
      await s.stop();
    }
  });

  it('an opening initialize is left to the SDK, and a probe it cannot vouch for too', async () => {
    const s = serveRaw();
    try {
      s.send({ id: 7, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'codex', version: '1' } } });
      expect((await s.answer(7)).result.protocolVersion).toBe('2025-11-25');
    } finally {
      await s.stop();
    }
    const odd = serveRaw();
    try {
      // An unknown protocol version: the SDK's own refusal, not an early yes.
      odd.send({ id: 0, method: 'server/discover', params: { _meta: { ...envelope, [`${META}protocolVersion`]: '2099-01-01' } } });
      const r = await odd.answer(0);
      expect(r.result?.supportedVersions ?? r.error).toBeDefined();
      expect(odd.lines.filter((l) => l.id === 0)).toHaveLength(1);
      expect(odd.stderr()).not.toMatch(/internal error/);
    } finally {
      await odd.stop();
    }
  });

  it('stdin closed before anything was sent: the server still shuts down in order (unregistered)', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [CLI, 'serve', '--data-dir', dir], { env: baseEnv(), input: '', encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    // The session is unregistered; what is left is the daemon, until its idle exit.
    const left = fs.readdirSync(path.join(dir, 'servers')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'servers', f), 'utf8')));
    expect(left.filter((i) => i.role !== 'daemon')).toEqual([]);
  });
});
