import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { MultiPolygon, Polygon } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomPointInCounty } from '../../server/regions/point-in-county.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let tree: RegionTree;
let polygons: Map<string, Polygon | MultiPolygon>;
beforeAll(async () => {
  tree = await loadRegionTree('62');
  polygons = await tree.countyPolygons();
});

describe('randomPointInCounty', () => {
  it('puts sampled points inside the county polygon, for every Gansu county', () => {
    const rand = seeded(62);
    for (const [code, geometry] of polygons) {
      for (let i = 0; i < 20; i++) {
        const p = randomPointInCounty(polygons, code, rand);
        expect(booleanPointInPolygon([p.lng, p.lat], geometry), `${code} ${p.lng},${p.lat}`).toBe(true);
      }
    }
  });

  it('spreads points over the county rather than piling them up', () => {
    // 肃南 is the county that fills least of its bbox, in four separate parts.
    const rand = seeded(7);
    const points = Array.from({ length: 200 }, () => randomPointInCounty(polygons, '620721', rand));
    const lngs = points.map((p) => p.lng);
    expect(Math.max(...lngs) - Math.min(...lngs)).toBeGreaterThan(2);
    expect(new Set(points.map((p) => `${p.lng},${p.lat}`)).size).toBe(200);
  });

  it('jitters around the city centre for 兰州新区, which has no polygon', () => {
    expect(polygons.has('620171')).toBe(false);
    const city = tree.center('6201')!;
    const rand = seeded(1);
    for (let i = 0; i < 50; i++) {
      const p = randomPointInCounty(polygons, '620171', rand, (c) => tree.center(c));
      expect(Math.abs(p.lng - city[0])).toBeLessThanOrEqual(0.02);
      expect(Math.abs(p.lat - city[1])).toBeLessThanOrEqual(0.02);
    }
  });

  it('without centres, falls back to the middle of the city’s other counties', () => {
    const p = randomPointInCounty(polygons, '620171', () => 0.5);
    // Midpoint of the 兰州 counties' bbox; rand 0.5 means no jitter.
    expect(p.lng).toBeGreaterThan(102.6);
    expect(p.lng).toBeLessThan(104.6);
    expect(p.lat).toBeGreaterThan(35.5);
    expect(p.lat).toBeLessThan(37);
  });

  it('fails loudly for unknown counties and broken random sources', () => {
    expect(() => randomPointInCounty(polygons, '629999', Math.random)).toThrow(/no anchor/);
    // rand() === 0 always samples the bbox corner, which lies outside 肃南.
    expect(() => randomPointInCounty(polygons, '620721', () => 0)).toThrow(/after/);
  });
});
