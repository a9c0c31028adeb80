/**
 * A pipe-mode task is a plain `bash -c`: it never sources the user's
 * ~/.bashrc. bash reads it for a top-level shell whose stdin is a socket (what
 * it takes for rshd/sshd), and Node's pipes are socketpairs; agents start MCP
 * servers without SHLVL. A .bashrc that blocked (pyenv's rehash did) left every
 * background pipe task `running` with no output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, type TestServer } from '../helpers/server.js';

let s: TestServer;
let home: string;

beforeAll(async () => {
  home = tempDir();
  // Marks that it ran, then blocks the way a hung rc file does.
  fs.writeFileSync(path.join(home, '.bashrc'), `echo sourced >> "${home}/marker"; case "$-" in *i*) ;; *) read -r _ <&0 ;; esac\n`);
  s = await startServer({ env: { HOME: home } });
});
afterAll(async () => {
  await s?.close();
});

describe('pipe-mode tasks and ~/.bashrc', () => {
  for (const background of [false, true]) {
    it(`${background ? 'background' : 'foreground'}: runs without sourcing ~/.bashrc`, async () => {
      const r = await s.ok('bash', { command: 'echo out; echo err >&2', pty: false, background });
      const id = r.structuredContent.task_id;
      const st = await s.ok('task_status', { task_id: id, wait: 20 });
      expect(st.structuredContent.task.state).toBe('done');
      const out = await s.ok('task_output', { task_id: id });
      expect(out.structuredContent.output).toContain('out');
      expect(fs.existsSync(path.join(home, 'marker'))).toBe(false);
    });
  }
});
