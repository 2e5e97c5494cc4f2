// `npm run simulate -- --out year.ndjson --days 365 [--until <ISO>] [--seed N] [--root 62] [--scale 1]`:
// writes the simulator's history of the `days` before `until` (default now) as an NDJSON file of
// the ingest contract, for `npm run import`. Nothing touches Redis.
import { parseArgs } from 'node:util';
import { loadRegionTree } from '../server/regions/tree.ts';
import { createWorld } from '../server/simulator/world.ts';
import { defaultRates, scaledRates } from '../server/simulator/generate.ts';
import { newSeed } from '../server/simulator/prng.ts';
import { writeHistoryFile } from '../server/simulator/history-file.ts';

const DAY = 86_400_000;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      days: { type: 'string', default: '365' },
      until: { type: 'string' },
      seed: { type: 'string' },
      root: { type: 'string', default: process.env.REGION_ROOT ?? '62' },
      'incidents-per-day': { type: 'string' },
      scale: { type: 'string', default: process.env.SIMULATOR_SCALE ?? '1' },
    },
  });
  if (!values.out) {
    console.error(
      'usage: npm run simulate -- --out <file.ndjson> [--days 365] [--until ISO] [--seed N] [--root 62] [--scale 1]',
    );
    return 2;
  }
  const days = Number(values.days);
  const scale = Number(values.scale);
  if (!(scale > 0)) {
    console.error('--scale must be a positive number');
    return 2;
  }
  const to = values.until ? Date.parse(values.until) : Date.now();
  if (!(days > 0) || !Number.isFinite(to)) {
    console.error('--days must be a positive number and --until an ISO time');
    return 2;
  }
  const seed = values.seed ? Number(values.seed) : newSeed();
  const tree = await loadRegionTree(values.root);
  const world = createWorld(tree, await tree.countyPolygons());
  const perDay = values['incidents-per-day'] ? Number(values['incidents-per-day']) : undefined;
  const started = Date.now();
  const totals = await writeHistoryFile({
    world,
    rates: scaledRates(defaultRates(perDay), scale),
    seed,
    from: to - days * DAY,
    to,
    out: values.out,
    onDay: (t) => process.stderr.write(`\r${t.cases} cases, ${t.events} events, ${(t.bytes / 1e6).toFixed(0)} MB`),
  });
  process.stderr.write('\n');
  console.log(
    `wrote ${values.out}: ${totals.cases} cases, ${totals.events} events, ${(totals.bytes / 1e6).toFixed(1)} MB ` +
      `(seed ${seed}, ${days} days to ${new Date(to).toISOString()}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
