/**
 * The region tree of one province, loaded from the generated regions/<root>/tree.json
 * (see scripts/gen-regions.ts). Read-only after loading; nothing is kept in module state so
 * tests and multiple roots can coexist.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MultiPolygon, Polygon } from 'geojson';
import { ancestry, levelOf, parentOf, type Level, type RegionInfo, type RegionRef } from '../../shared/regions.ts';

/** <repo>/regions, found from this file so the server works from any working directory. */
export const DEFAULT_REGIONS_DIR = fileURLToPath(new URL('../../regions', import.meta.url));

export type CountyGeometry = Polygon | MultiPolygon;
export type LngLat = [number, number];

interface TreeFile {
  root: string;
  generatedFrom: Record<string, string>;
  regions: Array<[string, string]>;
  centers?: Record<string, LngLat>;
}

export class RegionTree {
  readonly root: string;
  /** Code → name, in code order (Maps keep insertion order). */
  private readonly names: Map<string, string>;
  private readonly kids = new Map<string, string[]>();
  private readonly centers: Map<string, LngLat>;
  /** Codes that have a geo/<code>.json boundary file of their children. */
  private readonly maps: ReadonlySet<string>;
  /** regions/<root>, where the geo files live. */
  private readonly dir: string;

  constructor(
    root: string,
    regions: ReadonlyArray<readonly [string, string]>,
    centers: Record<string, LngLat>,
    maps: ReadonlySet<string>,
    dir: string,
  ) {
    this.root = root;
    this.maps = maps;
    this.dir = dir;
    // Sorted here too, so code order holds even for a hand-edited file.
    const sorted = [...regions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.names = new Map(sorted.map(([c, n]) => [c, n]));
    if (this.names.size !== regions.length) throw new Error('region tree has duplicate codes');
    if (!this.names.has(root)) throw new Error(`region tree has no root ${root}`);
    for (const code of this.names.keys()) {
      if (!levelOf(code) || !code.startsWith(root)) throw new Error(`region ${code} does not belong under ${root}`);
      if (code === root) continue;
      const parent = parentOf(code);
      if (!parent || !this.names.has(parent)) throw new Error(`region ${code} has no parent in the tree`);
      let list = this.kids.get(parent);
      if (!list) this.kids.set(parent, (list = []));
      list.push(code);
    }
    this.centers = new Map(Object.entries(centers).filter(([code]) => this.names.has(code)));
  }

  get size(): number {
    return this.names.size;
  }

  has(code: string): boolean {
    return this.names.has(code);
  }

  get(code: string): RegionRef | undefined {
    const name = this.names.get(code);
    const level = levelOf(code);
    return name === undefined || !level ? undefined : { code, name, level };
  }

  /** Direct children in code order; empty for villages and unknown codes. */
  children(code: string): RegionRef[] {
    return (this.kids.get(code) ?? []).map((c) => this.get(c)!);
  }

  /** Label point from the boundary sources; only the province, cities and counties have one. */
  center(code: string): LngLat | undefined {
    const c = this.centers.get(code);
    return c ? [c[0], c[1]] : undefined;
  }

  /**
   * True for the only child of a region that bears the region's own name: 嘉峪关市 (620201), the
   * statistics bureau's county level of a city that has no counties. It is the city again.
   */
  isDoubled(code: string): boolean {
    const parent = parentOf(code);
    const siblings = parent ? (this.kids.get(parent) ?? []) : [];
    return siblings.length === 1 && this.names.get(code) === this.names.get(parent!);
  }

  /**
   * Everything the API's region endpoint needs. `ancestors` excludes the region itself. Screens
   * skip a doubled level (see `isDoubled`): a city without counties goes straight to its townships.
   */
  info(code: string): RegionInfo | undefined {
    const self = this.get(code);
    if (!self) return undefined;
    const path = ancestry(code).filter((c) => this.names.has(c) && (c === code || !this.isDoubled(c)));
    const center = this.center(code);
    const own = this.children(code);
    const children = own.length === 1 && this.isDoubled(own[0]!.code) ? this.children(own[0]!.code) : own;
    return {
      ...self,
      path,
      ancestors: path.slice(0, -1).map((c) => this.get(c)!),
      children,
      hasMap: this.maps.has(code),
      ...(center ? { center } : {}),
    };
  }

  /** All codes of one level, in code order. */
  codesAt(level: Level): string[] {
    const out: string[] = [];
    for (const code of this.names.keys()) if (levelOf(code) === level) out.push(code);
    return out;
  }

  /**
   * County boundaries from every city's geo file. Read on demand rather than at load, since only
   * the event simulator needs them. Counties without a polygon (兰州新区 620171) are absent.
   */
  async countyPolygons(): Promise<Map<string, CountyGeometry>> {
    const out = new Map<string, CountyGeometry>();
    for (const city of this.codesAt('city')) {
      if (!this.maps.has(city)) continue;
      const fc = JSON.parse(await readFile(join(this.dir, 'geo', `${city}.json`), 'utf8')) as {
        features: Array<{ properties: { code: string }; geometry: CountyGeometry }>;
      };
      for (const f of fc.features) {
        const code = f.properties.code;
        if (levelOf(code) !== 'county' || !code.startsWith(city) || !this.has(code)) {
          throw new Error(`geo/${city}.json: ${code} is not a county of ${city}`);
        }
        out.set(code, f.geometry);
      }
    }
    return out;
  }
}

/** Loads regions/<root>/tree.json and notes which geo files exist. */
export async function loadRegionTree(root: string, dir = DEFAULT_REGIONS_DIR): Promise<RegionTree> {
  const rootDir = join(dir, root);
  const file = join(rootDir, 'tree.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as TreeFile;
  if (data.root !== root) throw new Error(`${file} is for root ${data.root}, not ${root}`);
  if (!Array.isArray(data.regions)) throw new Error(`${file} has no regions`);
  const geoDir = join(rootDir, 'geo');
  const maps = new Set(
    existsSync(geoDir)
      ? (await readdir(geoDir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length))
      : [],
  );
  return new RegionTree(root, data.regions, data.centers ?? {}, maps, rootDir);
}
