import { describe, expect, it } from 'vitest';
import { mapLabels } from '../../../client/src/lib/charts/options/map-labels.ts';
import { mapOption, type MapFeature } from '../../../client/src/lib/charts/options/map.ts';
import { THEME } from '../../../client/src/lib/charts/theme.ts';

/** The real label points of the province's and 兰州市's boundary files (regions/62/geo). */
const PROVINCE: MapFeature[] = [
  { code: '6201', name: '兰州市', cp: [103.8236, 36.058], area: 4.1, centre: [103.6, 36.4] },
  { code: '6202', name: '嘉峪关市', cp: [98.2773, 39.7865], area: 0.12, centre: [98.2, 39.8], small: true },
  { code: '6209', name: '酒泉市', cp: [98.5108, 39.744], area: 38.5, centre: [96.3, 40.4] },
  { code: '6207', name: '张掖市', cp: [100.4554, 38.9329], area: 9.8, centre: [100.3, 38.9] },
];
const LANZHOU: MapFeature[] = [
  { code: '620102', name: '城关区', cp: [103.8253, 36.0575], area: 0.05, centre: [103.85, 36.06] },
  { code: '620103', name: '七里河区', cp: [103.7859, 36.0661], area: 0.3, centre: [103.7, 35.9] },
  { code: '620111', name: '红古区', cp: [102.8618, 36.3443], area: 0.2, centre: [102.9, 36.3] },
  { code: '620121', name: '永登县', cp: [103.2622, 36.7352], area: 1.6, centre: [103.3, 36.8] },
];

describe('map labels never overlap', () => {
  it('moves a large region’s name to the middle of its area when a small neighbour’s name sits on its point (酒泉市 / 嘉峪关市)', () => {
    const labels = mapLabels(PROVINCE);
    const jiuquan = labels.find((l) => l.name === '酒泉市')!;
    const jiayuguan = labels.find((l) => l.name === '嘉峪关市')!;
    expect(jiuquan.value).toEqual([96.3, 40.4]);
    expect(jiayuguan.value).toEqual([98.2773, 39.7865]);
    expect(labels.find((l) => l.name === '兰州市')!.value).toEqual([103.8236, 36.058]);
  });

  it('moves the larger of two regions named side by side to the middle of its area (平凉市 / 庆阳市)', () => {
    const east: MapFeature[] = [
      ...PROVINCE,
      { code: '6208', name: '平凉市', cp: [106.665, 35.5428], area: 1.1, centre: [106.7, 35.4] },
      { code: '6210', name: '庆阳市', cp: [107.6381, 35.7342], area: 2.7, centre: [107.6, 36.5] },
    ];
    const labels = mapLabels(east);
    expect(labels.find((l) => l.name === '庆阳市')!.value).toEqual([107.6, 36.5]);
    expect(labels.find((l) => l.name === '平凉市')!.value).toEqual([106.665, 35.5428]);
    // Names one above the other are left where they are.
    expect(labels.find((l) => l.name === '兰州市')!.value).toEqual([103.8236, 36.058]);
  });

  it('ranks labels by area, so where names still collide the lesser region’s is the one hidden', () => {
    const labels = mapLabels(LANZHOU);
    const size = (n: string) => labels.find((l) => l.name === n)!.symbolSize;
    expect(size('七里河区')).toBeGreaterThan(size('城关区'));
    expect(size('永登县')).toBeGreaterThan(size('七里河区'));
  });

  it('asks ECharts to hide overlapping names, on the layer that draws them', () => {
    const option = mapOption({
      mapName: '6201',
      features: LANZHOU,
      children: [],
      measure: 'today',
      ripples: [],
      now: 0,
    });
    const series = option.series as Array<Record<string, unknown>>;
    const names = series.find(
      (s) => Array.isArray(s.data) && (s.data as unknown[]).length === LANZHOU.length && s.silent,
    );
    expect(names?.labelLayout).toMatchObject({ hideOverlap: true });
    expect((names!.data as Array<{ symbolSize: number }>).map((d) => d.symbolSize)).toEqual(
      mapLabels(LANZHOU).map((l) => l.symbolSize),
    );
  });

  it('keeps the map’s shape on any box, a splice wall’s included (no stretching)', () => {
    const option = mapOption({
      mapName: '62',
      features: PROVINCE,
      children: [],
      measure: 'today',
      ripples: [],
      now: 0,
    });
    expect(option.geo).toMatchObject({ preserveAspect: 'contain' });
  });

  it('draws no chart text under 16 px on the wall', () => {
    expect(THEME.small).toBeGreaterThanOrEqual(16);
    const option = mapOption({
      mapName: '62',
      features: PROVINCE,
      children: [],
      measure: 'today',
      ripples: [],
      now: 0,
    });
    const series = option.series as Array<{ label?: { fontSize?: number } }>;
    for (const s of series) if (s.label?.fontSize !== undefined) expect(s.label.fontSize).toBeGreaterThanOrEqual(16);
  });
});
