/** The loader's behaviour on a tiny hand-made tree, independent of the generated Gansu data. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegionTree } from '../../server/regions/tree.ts';

const square = (x: number, y: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + 1, y],
      [x + 1, y + 1],
      [x, y + 1],
      [x, y],
    ],
  ],
});

function fixture(tree: object, geo: Record<string, object> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'regions-'));
  mkdirSync(join(dir, '99', 'geo'), { recursive: true });
  writeFileSync(join(dir, '99', 'tree.json'), JSON.stringify(tree));
  for (const [name, body] of Object.entries(geo)) writeFileSync(join(dir, '99', 'geo', name), JSON.stringify(body));
  return dir;
}

const REGIONS = [
  ['99', '测试省'],
  ['9902', '乙市'],
  ['9901', '甲市'],
  ['990101', '一区'],
  ['990102', '二区'],
  ['990101001', '某街道'],
  ['990101001001', '某社区'],
];

describe('loadRegionTree', () => {
  const dir = fixture(
    { root: '99', generatedFrom: {}, regions: REGIONS, centers: { '99': [1, 2], '990101': [1.5, 1.5] } },
    {
      '99.json': { type: 'FeatureCollection', features: [] },
      '9901.json': {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: { code: '990101', name: '一区' }, geometry: square(1, 1) }],
      },
    },
  );

  it('answers lookups and keeps children in code order', async () => {
    const tree = await loadRegionTree('99', dir);
    expect(tree.root).toBe('99');
    expect(tree.size).toBe(7);
    expect(tree.has('9901')).toBe(true);
    expect(tree.has('9903')).toBe(false);
    expect(tree.get('9903')).toBeUndefined();
    expect(tree.children('99').map((r) => r.code)).toEqual(['9901', '9902']);
    expect(tree.children('990101001001')).toEqual([]);
    expect(tree.children('nope')).toEqual([]);
    expect(tree.codesAt('county')).toEqual(['990101', '990102']);
  });

  it('builds RegionInfo with strict ancestors, map flag and center', async () => {
    const tree = await loadRegionTree('99', dir);
    expect(tree.info('990101')).toEqual({
      code: '990101',
      name: '一区',
      level: 'county',
      path: ['99', '9901', '990101'],
      ancestors: [
        { code: '99', name: '测试省', level: 'province' },
        { code: '9901', name: '甲市', level: 'city' },
      ],
      children: [{ code: '990101001', name: '某街道', level: 'township' }],
      hasMap: false,
      center: [1.5, 1.5],
    });
    expect(tree.info('9901')?.hasMap).toBe(true);
    expect(tree.info('9902')?.hasMap).toBe(false);
    expect(tree.info('9902')).not.toHaveProperty('center');
    expect(tree.info('99')?.ancestors).toEqual([]);
  });

  it('hands out copies, so callers cannot corrupt the tree', async () => {
    const tree = await loadRegionTree('99', dir);
    tree.center('99')![0] = 42;
    tree.codesAt('city').pop();
    expect(tree.center('99')).toEqual([1, 2]);
    expect(tree.codesAt('city')).toHaveLength(2);
  });

  it('reads county polygons from the city files', async () => {
    const polygons = await (await loadRegionTree('99', dir)).countyPolygons();
    expect([...polygons.keys()]).toEqual(['990101']);
    expect(polygons.get('990101')?.type).toBe('Polygon');
  });

  it('rejects a tree for another root, orphans and foreign polygons', async () => {
    await expect(loadRegionTree('98', dir)).rejects.toThrow();
    const other = fixture({
      root: '99',
      generatedFrom: {},
      regions: [
        ['99', '省'],
        ['990101', '孤儿'],
      ],
    });
    await expect(loadRegionTree('99', other)).rejects.toThrow(/no parent/);
    const foreign = fixture(
      { root: '99', generatedFrom: {}, regions: REGIONS },
      {
        '9901.json': {
          type: 'FeatureCollection',
          features: [{ type: 'Feature', properties: { code: '990201' }, geometry: square(0, 0) }],
        },
      },
    );
    await expect((await loadRegionTree('99', foreign)).countyPolygons()).rejects.toThrow(/not a county of 9901/);
  });
});
