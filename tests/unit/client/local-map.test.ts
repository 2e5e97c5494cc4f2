import { describe, expect, it } from 'vitest';
import { localMapOption, localView } from '../../../client/src/lib/charts/options/local-map.ts';
import type { MapFeature } from '../../../client/src/lib/charts/options/map.ts';
import type { RipplePoint } from '../../../client/src/lib/state/ripples.svelte.ts';

const GANZHOU: MapFeature = {
  code: '620702',
  name: '甘州区',
  cp: [100.4548, 38.9315],
  box: [100.0, 38.6, 100.9, 39.3],
};
const LINZE: MapFeature = { code: '620723', name: '临泽县', cp: [100.16, 39.15], box: [99.8, 38.9, 100.5, 39.6] };

const point = (id: string, lng: number, lat: number, at = 0): RipplePoint => ({
  id,
  lng,
  lat,
  at,
  severity: 2,
  regionName: '梁家墩镇',
  summary: '接报事件',
});

describe('the map below the county (a township or a village on its county)', () => {
  it('zooms to where the township’s events are, with room around them', () => {
    const v = localView(GANZHOU, [point('a', 100.4, 38.9), point('b', 100.5, 39.0)]);
    const [[x0, y1], [x1, y0]] = v;
    expect(x0).toBeLessThan(100.4);
    expect(x1).toBeGreaterThan(100.5);
    expect(y0).toBeLessThan(38.9);
    expect(y1).toBeGreaterThan(39.0);
    // Tighter than the whole county: that is the point of zooming.
    expect(x1 - x0).toBeLessThan(0.9);
  });

  it('never zooms to a speck on one event, and shows the whole county when there is none yet', () => {
    const one = localView(GANZHOU, [point('a', 100.4, 38.9)]);
    expect(one[1][0] - one[0][0]).toBeCloseTo(0.4, 6);
    expect(localView(GANZHOU, [])).toEqual([
      [100.0, 39.3],
      [100.9, 38.6],
    ]);
  });

  it('ignores an event located far outside the county when zooming (a wrong GPS fix)', () => {
    const v = localView(GANZHOU, [point('a', 100.4, 38.9), point('b', 100.45, 38.95), point('far', 94, 40)]);
    expect(v[0][0]).toBeGreaterThan(99.9);
  });

  it('draws the county lit among its dimmed neighbours, and every event as a point', () => {
    const option = localMapOption({
      mapName: '6207',
      county: GANZHOU,
      features: [GANZHOU, LINZE],
      points: [point('a', 100.4, 38.9, 0), point('b', 100.5, 39.0, 100_000)],
      now: 100_000,
    });
    const geo = option.geo as { map: string; boundingCoords: unknown; regions: Array<{ name: string }> };
    expect(geo.map).toBe('6207');
    expect(geo).toMatchObject({ preserveAspect: 'contain' });
    expect(geo.boundingCoords).toEqual(localView(GANZHOU, [point('a', 100.4, 38.9), point('b', 100.5, 39.0)]));
    expect(geo.regions.map((r) => r.name)).toEqual(['甘州区']);
    const series = option.series as Array<{ type: string; data: Array<{ value: number[] }> }>;
    const drawn = series.flatMap((s) => s.data.map((d) => d.value.slice(0, 2)));
    expect(drawn).toEqual(
      expect.arrayContaining([
        [100.4, 38.9],
        [100.5, 39.0],
      ]),
    );
    // The fresh one ripples, the older one is a dot.
    expect(series.find((s) => s.type === 'effectScatter')!.data).toHaveLength(1);
  });
});
