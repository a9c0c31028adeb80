/**
 * Setup file: after each test file, whatever it left open is closed — servers
 * it started, tmux terminals it opened — and its temp dirs (data dirs, logs)
 * are removed. An interrupted run is cleaned by global-setup.ts.
 */
import fs from 'node:fs';
import { afterAll } from 'vitest';
import { daemonLogPath } from '../../src/daemon/wire.js';
import { openRaw } from './raw-rpc.js';
import { createdDirs, openServers } from './server.js';
import { openTerminals } from './tmux.js';

afterAll(async () => {
  for (const t of [...openTerminals]) t.kill();
  for (const r of [...openRaw]) r.kill();
  await Promise.all([...openServers].map((s) => s.close().catch(() => undefined)));
  for (const dir of createdDirs.splice(0)) {
    try {
      // A data dir's daemon logs outside it, in the runtime dir (the test servers get no XDG_RUNTIME_DIR).
      fs.rmSync(daemonLogPath(dir, {}), { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* still mounted, or busy: leave it */
    }
  }
});
