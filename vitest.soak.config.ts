import { defineConfig } from 'vitest/config';

// The long soak: each orphan scenario many times. One file, one worker at a time.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    pool: 'forks',
    setupFiles: ['test/helpers/cleanup.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    maxWorkers: 1,
    testTimeout: 60 * 60 * 1000,
  },
});
