/**
 * Issue 27, promise 6: `bgbash run` and `doctor` said "no bgbash server is
 * running" for 2-3 s after `serve` printed its start line (the control socket
 * waited for the client's first request). The start line now comes once the
 * control socket is up: the first CLI command after it reaches the server.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bgbash } from '../helpers/cli.js';
import { baseEnv, CLI, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('the start line of serve', () => {
  for (const mode of ['stdio', 'http'] as const) {
    it(`${mode}: the CLI reaches the server as soon as the line is printed, with no MCP request sent`, async () => {
      const dir = tempDir();
      const args = mode === 'http' ? ['serve', '--http', '127.0.0.1:0'] : ['serve'];
      // stdin stays open and silent: the client has not said anything yet.
      const proc = spawn(process.execPath, [CLI, ...args, '--data-dir', dir], { env: baseEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        await waitFor(() => /serving MCP on/.test(stderr), 'the start line', 30_000);
        const run = await bgbash(dir, ['run', '--json', '--', 'echo started']);
        expect(run.stderr).not.toMatch(/no bgbash server is running/);
        expect(run.code, run.stderr).toBe(0);
        const doctor = await bgbash(dir, ['doctor']);
        expect(doctor.stdout).toMatch(/✓ servers: 1 running/);
      } finally {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
    });
  }
});
