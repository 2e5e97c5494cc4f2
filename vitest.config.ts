import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * One runner for every kind of test. Integration and browser tests start their own real
 * redis-server (and chromium) on free ports, so files can run in parallel on the 2 CI cores.
 * The Svelte plugin compiles the runes of the client's `.svelte.ts` state classes; it touches
 * nothing else.
 */
export default defineConfig({
  plugins: [svelte({ configFile: false })],
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Every Lua script refuses a key it was not given in KEYS (server/redis/lua.ts): what works on
    // one Redis and breaks on a cluster fails here first. Inherited by server processes the tests start.
    env: { PINGAN_LUA_KEYCHECK: '1' },
  },
});
