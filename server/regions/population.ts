/**
 * The provinces' resident population from the 2020 census (第七次全国人口普查), committed as
 * regions/province-population-2020.json: what a national simulator shares its volume by and what
 * the cluster plan places slots by (scripts/cluster-plan.ts). Read once, validated on read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { levelOf } from '../../shared/regions.ts';
import { DEFAULT_REGIONS_DIR } from './tree.ts';

const FILE = 'province-population-2020.json';

const tableSchema = z.object({
  source: z.string().min(1),
  population: z.record(
    z.string().refine((c) => levelOf(c) === 'province', 'must be a 2-digit province code'),
    z.number().int().positive(),
  ),
});

const cache = new Map<string, ReadonlyMap<string, number>>();

/** Province code → persons (2020-11-01). Throws naming the file and field when the table is bad. */
export function provincePopulation(dir = DEFAULT_REGIONS_DIR): ReadonlyMap<string, number> {
  let table = cache.get(dir);
  if (!table) {
    const file = join(dir, FILE);
    const parsed = tableSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new Error(`${file}: ${i.path.join('.')}: ${i.message}`);
    }
    table = new Map(Object.entries(parsed.data.population));
    cache.set(dir, table);
  }
  return table;
}

/**
 * How many buckets a province's per-event or per-case hashes are spread over: one per
 * `peoplePerBucket` persons, so a province's volume (drawn from its population) fills each to
 * about the same size. A code without a population (not a real province) gets a fixed count.
 */
export function bucketsByPopulation(province: string, peoplePerBucket: number): number {
  const people = provincePopulation().get(province);
  return people ? Math.max(64, Math.ceil(people / peoplePerBucket)) : 4096;
}

/** The population of each of `provinces`; throws naming a province the table lacks. */
export function populationOf(provinces: readonly string[], dir = DEFAULT_REGIONS_DIR): Map<string, number> {
  const table = provincePopulation(dir);
  return new Map(
    provinces.map((p) => {
      const n = table.get(p);
      if (n === undefined) throw new Error(`${FILE} has no population for province ${p}`);
      return [p, n];
    }),
  );
}
