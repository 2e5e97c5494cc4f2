import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds dist/client when missing or older than its sources. Browser test files run in parallel
 * processes, so the build takes a lock directory (mkdir is atomic): one builds, the others wait
 * and then find it fresh.
 */
export async function ensureClientBuild(): Promise<void> {
  const index = path.join(REPO, 'dist', 'client', 'index.html');
  const lock = path.join(REPO, 'dist', '.client-build.lock');
  const fresh = () => {
    const sources = Math.max(
      newest(path.join(REPO, 'client')),
      newest(path.join(REPO, 'shared')),
      fs.statSync(path.join(REPO, 'vite.config.ts')).mtimeMs,
      // The plugin that stamps the build id (version.json, <meta name="build-id">).
      fs.statSync(path.join(REPO, 'scripts', 'build-id-plugin.ts')).mtimeMs,
    );
    return fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources;
  };
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (const end = Date.now() + 180_000; Date.now() < end;) {
    if (fresh()) return;
    try {
      fs.mkdirSync(lock);
    } catch {
      // A lock older than a build can take is left by a killed run. One released meanwhile has
      // nothing to stat: just look again.
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!fresh()) await build({ configFile: path.join(REPO, 'vite.config.ts'), logLevel: 'warn' });
      return;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  throw new Error('the client build did not finish in time');
}
