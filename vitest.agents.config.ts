import { defineConfig } from 'vitest/config';

// The real agent CLIs against fake model endpoints (`npm run test:agents`), kept
// out of `npm test`: they need the pinned CLIs in the cache (test/agents/clis.json).
export default defineConfig({
  test: {
    include: ['test/agents/**/*.test.ts'],
    pool: 'forks',
    setupFiles: ['test/helpers/cleanup.ts'],
    globalSetup: ['test/agents/global-setup.ts'],
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 900_000,
    teardownTimeout: 10_000,
  },
});
