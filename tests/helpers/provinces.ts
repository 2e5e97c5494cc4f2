// Province trees a test needs beyond the committed Gansu: generated once per run into a temp
// folder by the real generator (a few seconds per province), beside links to the committed
// regions/62 and regions/00 (the nation's map).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A regions folder holding `provinces` (and the nation's map); returns its path. */
export function regionsWith(provinces: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-regions-'));
  const committed = ['62', '00'];
  for (const c of committed) fs.symlinkSync(path.join(REPO, 'regions', c), path.join(dir, c));
  const missing = provinces.filter((p) => !committed.includes(p));
  if (missing.length)
    execFileSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'scripts/gen-regions.ts'), '--root', missing.join(','), '--out', dir],
      { stdio: 'ignore' },
    );
  return dir;
}
