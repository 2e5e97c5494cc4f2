import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { buildIdPlugin } from './scripts/build-id-plugin.ts';

/** The API server the dev server forwards to (server/index.ts listens here by default). */
const API = 'http://127.0.0.1:3000';

export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  plugins: [svelte({ configFile: false }), buildIdPlugin()],
  server: {
    host: '127.0.0.1',
    // The Host header is passed through unchanged: the server takes a request whose Origin matches
    // its Host as same-origin (server/http/origins.ts), and the page's origin is this dev server's.
    proxy: {
      '/api': { target: API },
      '/geo': { target: API },
      '/socket.io': { target: API, ws: true },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The ECharts chunk is ~350 KB minified on its own; the budget that matters is the gzipped total.
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // ECharts (and zrender under it) change rarely: a chunk of their own stays cached across deploys.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            // zod and the switch that turns off its eval probe in one chunk: whichever chunk first
            // needs zod runs the switch before any schema is built (the CSP refuses eval, and a
            // shared chunk of schemas evaluated ahead of the entry's code logged the refusal).
            { name: 'zod', test: /node_modules[\\/]zod[\\/]|lib[\\/]zod-jitless\.ts$/ },
          ],
        },
      },
    },
  },
});
