import { defineConfig } from 'vitest/config';

/**
 * One runner for every kind of test. Integration and browser tests start their own real
 * redis-server (and chromium) on free ports, so files can run in parallel on the 2 CI cores.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
