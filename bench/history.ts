// A generated Gansu history for the benchmarks that need one (import, storm, memory): the
// simulator's `writeHistoryFile` with a fixed seed, written once into $TMPDIR/pingan-bench-import/
// and reused. They load it as `npm run import` does (server/import/run.ts `importDepsFor`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { RegionTree } from '../server/regions/tree.ts';
import { createWorld } from '../server/simulator/world.ts';
import { defaultRates } from '../server/simulator/generate.ts';
import { writeHistoryFile } from '../server/simulator/history-file.ts';

const DAY = 86_400_000;

/** The non-blank lines of a history file, one at a time (a year does not fit in a string). */
export async function* historyLines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const l of rl) if (l.trim()) yield l;
}

/** The benchmarks' simulated Gansu history from `from` to `to` (ms) into `out`: one seed, so every run writes the same. */
export async function writeSimulated(tree: RegionTree, from: number, to: number, out: string) {
  const world = createWorld(tree, await tree.countyPolygons());
  return writeHistoryFile({ world, rates: defaultRates(), seed: 20261205, from, to, out });
}

/**
 * The path of a history of `days` days ending `daysAgo` days before now, generated on first use.
 * Its end is rounded to the day, so one generated file serves a day of runs.
 */
export async function historyFile(tree: RegionTree, days: number, daysAgo = 0): Promise<string> {
  const dir = path.join(os.tmpdir(), 'pingan-bench-import');
  fs.mkdirSync(dir, { recursive: true });
  const to = Math.floor((Date.now() - daysAgo * DAY) / DAY) * DAY;
  const file = path.join(dir, `gansu-${days}d-to-${new Date(to).toISOString().slice(0, 10)}.ndjson`);
  if (fs.existsSync(file)) return file;
  const t0 = Date.now();
  const tmp = `${file}.partial`;
  const g = await writeSimulated(tree, to - days * DAY, to, tmp);
  fs.renameSync(tmp, file);
  console.log(`generated ${file}: ${g.cases} cases, ${g.events} events in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return file;
}
