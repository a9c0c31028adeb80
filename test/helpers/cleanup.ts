/** Setup file: each test file's temp dirs (data dirs, logs) are removed once its tests are done. */
import fs from 'node:fs';
import { afterAll } from 'vitest';
import { createdDirs } from './server.js';

afterAll(() => {
  for (const dir of createdDirs.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* still mounted, or busy: leave it */
    }
  }
});
