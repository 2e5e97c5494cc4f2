/**
 * The region tree of one province, loaded from the generated regions/<root>/tree.json
 * (see scripts/gen-regions.ts), or of the nation (`00`): its provinces' trees under one root.
 * Read-only after loading; nothing is kept in module state so tests and multiple roots can coexist.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MultiPolygon, Polygon } from 'geojson';
import {
  ancestry,
  isWithin,
  levelOf,
  NATION,
  parentOf,
  type Level,
  type RegionInfo,
  type RegionRef,
} from '../../shared/regions.ts';

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
  /** Code → the file of its children's boundaries (regions/<province>/geo/<code>.json). */
  private readonly maps: ReadonlyMap<string, string>;
  /**
   * The nation's provinces, each a tree of its own: the nation holds only its own code and
   * hands every other question to the province the code belongs to (no second copy of 700,000
   * names, and a province's rules and services get exactly their province).
   */
  private readonly parts: ReadonlyMap<string, RegionTree> | undefined;
  /** The provinces served, in code order: the root itself for a province tree. */
  readonly provinces: readonly string[];

  constructor(
    root: string,
    regions: ReadonlyArray<readonly [string, string]>,
    centers: Record<string, LngLat>,
    maps: ReadonlyMap<string, string>,
    parts?: ReadonlyMap<string, RegionTree>,
  ) {
    this.root = root;
    this.maps = maps;
    this.parts = parts;
    // Sorted here too, so code order holds even for a hand-edited file.
    const sorted = [...regions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.names = new Map(sorted.map(([c, n]) => [c, n]));
    if (this.names.size !== regions.length) throw new Error('region tree has duplicate codes');
    if (!this.names.has(root)) throw new Error(`region tree has no root ${root}`);
    for (const code of this.names.keys()) {
      if (!levelOf(code) || !isWithin(code, root)) throw new Error(`region ${code} does not belong under ${root}`);
      if (code === root) continue;
      const parent = parentOf(code);
      if (!parent || !this.names.has(parent)) throw new Error(`region ${code} has no parent in the tree`);
      let list = this.kids.get(parent);
      if (!list) this.kids.set(parent, (list = []));
      list.push(code);
    }
    if (parts) this.kids.set(root, [...parts.keys()].sort());
    this.centers = new Map(Object.entries(centers).filter(([code]) => this.names.has(code)));
    this.provinces = root === NATION ? (this.kids.get(root) ?? []) : [root];
  }

  /** The province tree that holds `code`, when this is the nation's tree and code is below it. */
  private part(code: string): RegionTree | undefined {
    return code === this.root ? undefined : this.parts?.get(code.slice(0, 2));
  }

  /** The tree of one province served (this tree itself for a province deployment). */
  province(code: string): RegionTree | undefined {
    if (!this.parts) return code === this.root ? this : undefined;
    return this.parts.get(code);
  }

  get size(): number {
    let n = this.names.size;
    for (const p of this.parts?.values() ?? []) n += p.size;
    return n;
  }

  has(code: string): boolean {
    const part = this.part(code);
    return part ? part.has(code) : this.names.has(code);
  }

  get(code: string): RegionRef | undefined {
    const part = this.part(code);
    if (part) return part.get(code);
    const name = this.names.get(code);
    const level = levelOf(code);
    return name === undefined || !level ? undefined : { code, name, level };
  }

  /** Direct children in code order; empty for villages and unknown codes. */
  children(code: string): RegionRef[] {
    const part = this.part(code);
    if (part) return part.children(code);
    return (this.kids.get(code) ?? []).map((c) => this.get(c)!);
  }

  /** Label point from the boundary sources; only the province, cities and counties have one. */
  center(code: string): LngLat | undefined {
    const part = this.part(code);
    if (part) return part.center(code);
    const c = this.centers.get(code);
    return c ? [c[0], c[1]] : undefined;
  }

  /**
   * True for the only child of a region that bears the region's own name: 嘉峪关市 (620201), the
   * statistics bureau's county level of a city that has no counties. It is the city again.
   */
  isDoubled(code: string): boolean {
    const part = this.part(code);
    if (part) return part.isDoubled(code);
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
    const path = ancestry(code).filter((c) => this.has(c) && (c === code || !this.isDoubled(c)));
    const center = this.center(code);
    const own = this.children(code);
    const children = own.length === 1 && this.isDoubled(own[0]!.code) ? this.children(own[0]!.code) : own;
    return {
      ...self,
      path,
      ancestors: path.slice(0, -1).map((c) => this.get(c)!),
      children,
      hasMap: this.mapFile(code) !== undefined,
      ...(center ? { center } : {}),
    };
  }

  /** The file of `code`'s children's boundaries, when there is one (the nation, a province, its cities). */
  mapFile(code: string): string | undefined {
    const part = this.part(code);
    return part ? part.mapFile(code) : this.maps.get(code);
  }

  /** Every code of the tree, each province's in code order. */
  codes(): string[] {
    const out = [...this.names.keys()];
    for (const p of this.parts?.values() ?? []) out.push(...p.codes());
    return out;
  }

  /** All codes of one level, in code order. */
  codesAt(level: Level): string[] {
    const out: string[] = [];
    for (const code of this.names.keys()) if (levelOf(code) === level) out.push(code);
    for (const p of this.parts?.values() ?? []) out.push(...p.codesAt(level));
    return out;
  }

  /**
   * County boundaries from every city's geo file. Read on demand rather than at load, since only
   * the event simulator needs them. Counties without a polygon (兰州新区 620171) are absent.
   */
  async countyPolygons(): Promise<Map<string, CountyGeometry>> {
    const out = new Map<string, CountyGeometry>();
    for (const p of this.parts?.values() ?? []) for (const [c, g] of await p.countyPolygons()) out.set(c, g);
    if (this.parts) return out;
    for (const city of this.codesAt('city')) {
      const file = this.maps.get(city);
      if (!file) continue;
      const fc = JSON.parse(await readFile(file, 'utf8')) as {
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

/** The nation's own files: regions/00/tree.json (its name) and geo/00.json (china.json's provinces). */
const NATION_NAME = '全国';

/** The provinces whose trees are generated under `dir` (regions/<2 digits>/tree.json), in code order. */
export function generatedProvinces(dir = DEFAULT_REGIONS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => levelOf(f) === 'province' && existsSync(join(dir, f, 'tree.json')))
    .sort();
}

interface ProvinceFiles {
  regions: Array<[string, string]>;
  centers: Record<string, LngLat>;
  maps: Map<string, string>;
}

async function readProvince(root: string, dir: string): Promise<ProvinceFiles> {
  const rootDir = join(dir, root);
  const file = join(rootDir, 'tree.json');
  if (!existsSync(file))
    throw new Error(`${file} is missing: generate it with \`npm run gen:regions -- --root ${root}\``);
  const data = JSON.parse(await readFile(file, 'utf8')) as TreeFile;
  if (data.root !== root) throw new Error(`${file} is for root ${data.root}, not ${root}`);
  if (!Array.isArray(data.regions)) throw new Error(`${file} has no regions`);
  return { regions: data.regions, centers: data.centers ?? {}, maps: geoFiles(join(rootDir, 'geo')) };
}

function geoFiles(geoDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(geoDir)) return out;
  for (const f of readdirSync(geoDir)) if (f.endsWith('.json')) out.set(f.slice(0, -'.json'.length), join(geoDir, f));
  return out;
}

/**
 * Loads regions/<root>/tree.json and notes which geo files exist. For the nation (`00`), loads
 * every province of `provinces` (default: all generated ones) under one root whose map is
 * regions/00/geo/00.json.
 */
export async function loadRegionTree(
  root: string,
  dir = DEFAULT_REGIONS_DIR,
  provinces?: readonly string[],
): Promise<RegionTree> {
  if (root !== NATION) {
    const p = await readProvince(root, dir);
    return new RegionTree(root, p.regions, p.centers, p.maps);
  }
  const list = provinces ?? generatedProvinces(dir);
  if (list.length === 0)
    throw new Error(`no province trees under ${dir}: generate them with \`npm run gen:regions -- --root all\``);
  const parts = new Map<string, RegionTree>();
  for (const [i, p] of (await Promise.all(list.map((code) => readProvince(code, dir)))).entries()) {
    const code = list[i]!;
    parts.set(code, new RegionTree(code, p.regions, p.centers, p.maps));
  }
  return new RegionTree(NATION, [[NATION, NATION_NAME]], {}, geoFiles(join(dir, NATION, 'geo')), parts);
}
