// `npm run bench -- <name>`: runs one benchmark (or all) and prints its figures.
import { benchIngest } from './ingest.ts';
import { benchFanout } from './fanout.ts';
import { benchWallSoak } from './wall-soak.ts';
import { benchReplayStorage } from './replay-storage.ts';
import { benchImport } from './import.ts';
import { benchMemory } from './memory.ts';
import { benchStorm } from './storm.ts';
import { benchCasePage } from './case-page.ts';

const BENCHES: Record<string, () => Promise<Record<string, number | string>>> = {
  ingest: benchIngest,
  fanout: benchFanout,
  storm: benchStorm,
  'case-page': benchCasePage,
  'wall-soak': benchWallSoak,
  'replay-storage': benchReplayStorage,
  import: benchImport,
  memory: benchMemory,
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const run = BENCHES[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  const figures = await run();
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(46)} ${v}`);
}
process.exit(0);
