import { defineConfig } from 'vitest/config';

// Two cores: run test files two at a time, in forked processes (node-pty is a
// native module and does not belong in worker threads).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real agent CLIs: `npm run test:agents` (vitest.agents.config.ts).
    exclude: ['test/agents/**', '**/node_modules/**'],
    pool: 'forks',
    setupFiles: ['test/helpers/cleanup.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
  },
});
