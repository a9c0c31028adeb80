/**
 * When node-pty cannot load, a pty task runs on pipes and its record says so.
 * The server is a copy of the build whose node_modules hold every package but
 * node-pty: the import fails for real, as on a machine where the native
 * module was never built.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readRecord, startServer, tempDir } from '../helpers/server.js';

function buildWithoutNodePty(): string {
  const dir = tempDir('bgbash-nopty-');
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    // node-pty under either package name (@lydell/node-pty ships prebuilt binaries).
    if (name === 'node-pty' || name === '@lydell' || name === '.bin') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name));
  }
  return path.join(dir, 'dist/cli/main.js');
}

describe('node-pty missing', () => {
  it('a pty task runs on pipes, and the record says so', async () => {
    const s = await startServer({ cli: buildWithoutNodePty() });
    try {
      const r = await s.ok('bash', { command: 'echo out; echo err >&2; exit 4' });
      expect(r.structuredContent).toMatchObject({ state: 'failed', exit_code: 4 });
      const rec = readRecord(s.dataDir, r.structuredContent.task_id);
      expect(rec).toMatchObject({ backend: 'pipe', pty: false, backend_note: expect.stringMatching(/^node-pty could not load \(.*\): ran on pipe instead$/) });
      const out = await s.ok('task_output', { task_id: rec.id });
      expect(out.structuredContent.output).toContain('out');
      expect(s.stderr()).toMatch(/node-pty could not load/);
    } finally {
      await s.close();
    }
  });
});
