import { describe, expect, it } from 'vitest';
import { mapLabels, NATION_LABEL_PLACES } from '../../../client/src/lib/charts/options/map-labels.ts';
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
    const layout = names!.labelLayout as (p: { dataIndex?: number }) => Record<string, unknown>;
    expect(layout({ dataIndex: 0 })).toMatchObject({ hideOverlap: true });
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

/** The national map's crowded corners (regions/00/geo/00.json's label points; areas in square degrees). */
const NATION: MapFeature[] = [
  { code: '11', name: '北京', cp: [116.4053, 39.905], area: 2.9, centre: [116.4, 40.2], small: true },
  { code: '12', name: '天津', cp: [117.1902, 39.1256], area: 2.1, centre: [117.3, 39.3], small: true },
  { code: '13', name: '河北', cp: [114.5025, 38.0455], area: 42, centre: [116.6, 39.3] },
  // Side by side with 河北's seat, and smaller: 河北's name would move, were its middle not 北京's.
  { code: '14', name: '山西', cp: [111.8492, 36.857], area: 16, centre: [112.3, 37.6] },
  { code: '44', name: '广东', cp: [113.2806, 23.1252], area: 40, centre: [113.5, 22.85] },
  { code: '65', name: '新疆', cp: [87.6177, 43.7928], area: 480, centre: [85.2, 41.2] },
  { code: '71', name: '台湾', cp: [121.509, 25.0443], area: 7, centre: [120.9, 23.6] },
  { code: '81', name: '香港', cp: [114.1734, 22.32], area: 0.1, centre: [114.1, 22.35], small: true },
  { code: '82', name: '澳门', cp: [113.5491, 22.199], area: 0.01, centre: [113.56, 22.15], small: true },
];
const PROVINCES_SERVED = [
  { code: '44', name: '广东省' },
  { code: '13', name: '河北省' },
].map((c) => ({
  ...c,
  counts: { today: { incident: 1, dispute: 0 }, open: { incident: 0, dispute: 0 }, overdue: { dispute: 0 } },
  alerts: { red: 0, orange: 0, yellow: 0, blue: 0 },
}));

describe('the national map’s names', () => {
  const option = mapOption({
    mapName: 'china',
    features: NATION,
    children: PROVINCES_SERVED,
    measure: 'today',
    ripples: [],
    now: 0,
  });
  const layer = (option.series as Array<Record<string, unknown>>).find((s) => s.labelLayout)!;
  const data = layer.data as Array<{ name: string; value: [number, number]; label?: { color?: string } }>;
  const layout = layer.labelLayout as (p: { dataIndex?: number }) => { dx: number; dy: number };

  it('keeps a big region’s name at its seat when its middle is nearer other names (河北 at 石家庄, beside 山西)', () => {
    expect(data.find((d) => d.name === '河北')!.value).toEqual([114.5025, 38.0455]);
    expect(data.find((d) => d.name === '广东')!.value).toEqual([113.2806, 23.1252]);
  });

  it('places 北京, 天津, 香港 and 澳门 by hand, apart, unmoved by the small-region lift', () => {
    for (const code of ['11', '12', '81', '82']) {
      const f = NATION.find((n) => n.code === code)!;
      const i = data.findIndex((d) => d.name === f.name);
      expect(data[i]!.value).toEqual(NATION_LABEL_PLACES[code]);
      expect(layout({ dataIndex: i })).toMatchObject({ dx: 0, dy: 0 });
    }
  });

  it('names the places without data in a muted colour, and the 南海诸岛 inset under its box', () => {
    expect(data.find((d) => d.name === '台湾')!.label?.color).toBe(THEME.textDim);
    expect(data.find((d) => d.name === '广东')!.label?.color).toBeUndefined();
    expect(data.find((d) => d.name === '南海诸岛')).toBeDefined();
  });

  it('moves a lone small region’s name in the layout, where ECharts judges overlaps (嘉峪关市)', () => {
    const gansu = mapOption({ mapName: '62', features: PROVINCE, children: [], measure: 'today', ripples: [], now: 0 });
    const l = (gansu.series as Array<Record<string, unknown>>).find((s) => s.labelLayout)!;
    const i = (l.data as Array<{ name: string }>).findIndex((d) => d.name === '嘉峪关市');
    expect((l.labelLayout as (p: { dataIndex?: number }) => unknown)({ dataIndex: i })).toMatchObject({
      dx: 0,
      dy: -18,
    });
    expect((l.data as unknown[]).some((d) => (d as { name: string }).name === '南海诸岛')).toBe(false);
  });
});
