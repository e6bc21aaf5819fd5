import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // CLAWCHAT_TEST_DB=postgres: one migrated template database per run (test/helpers/global-setup.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests boot real servers; two cores are shared between files.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
