/**
 * Issue 27, promise 3: `serve --http` listens on loopback. An address off
 * loopback (0.0.0.0 above all) is refused before anything starts unless
 * --allow-remote says so, and even then a wildcard is refused (the Host check
 * would turn every remote client away); http.token must be 16+ characters.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

function serversIn(dir: string): string[] {
  const d = path.join(dir, 'servers');
  return fs.existsSync(d) ? fs.readdirSync(d) : [];
}

describe('serve --http off loopback', () => {
  it('0.0.0.0 and [::] are refused with how to allow it; nothing starts', async () => {
    for (const where of ['0.0.0.0:0', '[::]:0', '192.0.2.1:0']) {
      const dir = tempDir();
      const r = await bgbash(dir, ['serve', '--http', where]);
      expect(r.code, where).toBe(2);
      expect(r.stderr).toMatch(/serves HTTP on loopback only \(127\.0\.0\.1, ::1, localhost\).*add --allow-remote/);
      expect(serversIn(dir)).toEqual([]);
    }
  });

  it('--allow-remote with a wildcard is refused too: the address clients use is needed', async () => {
    const r = await bgbash(tempDir(), ['serve', '--http', '0.0.0.0:0', '--allow-remote']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give the address clients will use/);
  });

  it('--allow-remote with an address of this machine listens there, with a warning', async () => {
    const ip = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(ip, 'this machine needs a network address besides loopback').toBeTruthy();
    const dir = tempDir();
    const proc = spawn(process.execPath, [CLI, 'serve', '--http', `${ip}:0`, '--allow-remote', '--data-dir', dir], { env: baseEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const info = await waitFor(() => {
        const files = serversIn(dir);
        const parsed = files.length ? JSON.parse(fs.readFileSync(path.join(dir, 'servers', files[0]), 'utf8')) : null;
        return parsed?.http ? parsed : null;
      }, 'the HTTP server to start', 30_000);
      expect(new URL(info.http).hostname).toBe(ip);
      await waitFor(() => /not loopback/.test(stderr), 'the warning');
      expect(stderr).toContain(`listening on ${ip}, not loopback`);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  });

  it('http.token shorter than 16 characters stops serve with the key named', async () => {
    const r = await bgbash(tempDir(), ['serve', '--http', '0', '--set', 'http.token=short']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/"http\.token".*at least 16 characters/);
  });
});
