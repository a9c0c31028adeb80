import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The process tests again with the portable process table (ps + lsof, what
 * macOS has) on Linux: `npm run test:ps`, and part of `npm test`. The files
 * are those whose behaviour rests on the table: tree kill, escapees, kill -9
 * reaping by the watchdog, crash recovery, ports, the tables side by side.
 */
export const PS_FILES = [
  'test/run/process-table.test.ts',
  'test/run/backends.test.ts',
  'test/run/ports.test.ts',
  'test/security/kill9-reaping.test.ts',
  'test/e2e/processes.test.ts',
  'test/e2e/faults.test.ts',
];

// Spread, not mergeConfig: that would add these files to the base's include (every test).
export default defineConfig({ ...base, test: { ...base.test, include: PS_FILES, env: { BGBASH_PROCESS_TABLE: 'ps' } } });
