import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

/** The meta tag the running page reads its own build id from (client/src/lib/version.ts). */
export const BUILD_ID_META = 'build-id';
/** The file an unattended wall polls to learn that a new client was deployed. */
export const VERSION_FILE = 'version.json';

/**
 * Stamps every production build with an id: a hash of everything the build emitted (file names
 * and contents, index.html aside). The id goes into index.html as `<meta name="build-id">` and into
 * `version.json` beside it. The running page compares its own id with the served `version.json`
 * and reloads when they differ.
 *
 * Not a `define`: a constant compiled into the bundle cannot be the hash of that bundle. The meta
 * tag can, and it arrives with the same no-cache index.html that names the bundle's chunks, so a
 * page's id always describes the code it is running.
 */
export function buildIdPlugin(): Plugin {
  return {
    name: 'pingan:build-id',
    apply: 'build',
    generateBundle: {
      // After Vite's HTML plugin has put index.html into the bundle.
      order: 'post',
      handler(_options, bundle) {
        const hash = createHash('sha256');
        for (const name of Object.keys(bundle).sort()) {
          if (name.endsWith('.html')) continue;
          const out = bundle[name]!;
          hash.update(name).update('\0');
          hash.update(out.type === 'chunk' ? out.code : out.source).update('\0');
        }
        const id = hash.digest('hex').slice(0, 16);
        const html = bundle['index.html'];
        if (!html || html.type !== 'asset') this.error('build-id: index.html is not in the bundle');
        const source = typeof html.source === 'string' ? html.source : new TextDecoder().decode(html.source);
        if (!source.includes('</head>')) this.error('build-id: index.html has no </head>');
        html.source = source.replace('</head>', `  <meta name="${BUILD_ID_META}" content="${id}" />\n  </head>`);
        this.emitFile({
          type: 'asset',
          fileName: VERSION_FILE,
          source: `${JSON.stringify({ id, builtAt: new Date().toISOString() })}\n`,
        });
      },
    },
  };
}
