import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../client/src/lib/charts/escape.ts';
import { funnelShares, funnelStages } from '../../../client/src/lib/funnel.ts';
import { bboxArea, featuresOf } from '../../../client/src/lib/charts/geo.ts';
import { categoryOption, categoryRows } from '../../../client/src/lib/charts/options/categories.ts';
import { channelRows } from '../../../client/src/lib/charts/options/channels.ts';
import { mapData, mapOption, niceMax, type MapFeature } from '../../../client/src/lib/charts/options/map.ts';
import { trendOption, trendSeries } from '../../../client/src/lib/charts/options/trend.ts';
import type { RipplePoint } from '../../../client/src/lib/state/ripples.svelte.ts';
import { child, hours } from './fixtures.ts';

type Fmt = (p: unknown) => string;
const seriesOf = (o: { series?: unknown }) => o.series as Array<{ data: unknown[] } & Record<string, unknown>>;

describe('escapeHtml', () => {
  it('turns markup in event text into inert text', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">&\'`')).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&#96;',
    );
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('48-hour trend', () => {
  const asOf = '2026-11-22T10:30:00.000+08:00';

  it('splits the hours into today and yesterday by the Beijing day of the snapshot, per kind', () => {
    const { incident, dispute, currentHour, elapsedMinutes } = trendSeries(
      hours(asOf, (i) => ({ incident: i, dispute: 1 })),
      asOf,
    );
    expect([currentHour, elapsedMinutes]).toEqual([10, 30]);
    expect(incident.today).toHaveLength(24);
    // Point 47 is 10:00 today, so 00:00 today is point 37; yesterday 00:00 is point 13.
    expect(incident.today[0]).toBe(37);
    expect(incident.today[9]).toBe(46);
    expect(incident.yesterday[0]).toBe(13);
    expect(incident.yesterday[23]).toBe(36);
    expect(dispute.today[9]).toBe(1);
    expect(dispute.yesterday[23]).toBe(1);
  });

  it('keeps the hour in progress apart from the finished ones, with yesterday pro rata to compare', () => {
    const { incident } = trendSeries(
      hours(asOf, (i) => ({ incident: i === 47 ? 4 : 10, dispute: 0 })),
      asOf,
    );
    // 10:00–10:30 has 4 so far: not a whole hour of 4 after hours of 10.
    expect(incident.today[10]).toBeNull();
    expect(incident.today[11]).toBeNull();
    expect(incident.partial).toBe(4);
    expect(incident.yesterdaySoFar).toBe(5); // yesterday's 10 o'clock hour, half of it gone
  });

  it('uses Beijing hours even when the instant is written in UTC', () => {
    const utc = [{ hour: '2026-11-22T01:00:00.000Z', incident: 5, dispute: 0 }]; // 09:00 Beijing
    expect(trendSeries(utc, asOf).incident.today[9]).toBe(5);
  });

  it('draws incidents and disputes apart, today solid, the hour in progress as a marked stub, yesterday dashed', () => {
    const option = trendOption(
      hours(asOf, () => ({ incident: 3, dispute: 1 })),
      asOf,
    );
    const series = seriesOf(option);
    expect(series.map((s) => s.name)).toEqual(['今日', '进行中', '昨日', '今日', '进行中', '昨日']);
    expect(series.map((s) => s.xAxisIndex)).toEqual([0, 0, 0, 1, 1, 1]);
    expect((option.yAxis as Array<{ name: string }>).map((a) => a.name)).toEqual(['案事件 件/时', '矛盾纠纷 件/时']);
    // The stub runs from 9 o'clock (finished) to 10 o'clock (in progress) and nowhere else.
    const stub = series[1]!.data;
    expect(stub.flatMap((v, x) => (v === null ? [] : [x]))).toEqual([9, 10]);
    expect(stub[10]).toBe(3);
    expect((series[1]!.lineStyle as { type: unknown }).type).not.toBe('solid');
    const label = (series[1]!.label as { formatter: Fmt }).formatter;
    expect([label({ dataIndex: 9 }), label({ dataIndex: 10 })]).toEqual(['', '进行中']);
  });

  it('has no stub to draw from at midnight, only the point in progress', () => {
    const midnight = '2026-11-22T00:10:00.000+08:00';
    const series = seriesOf(
      trendOption(
        hours(midnight, () => ({ incident: 2, dispute: 0 })),
        midnight,
      ),
    );
    expect(series[1]!.data.flatMap((v, x) => (v === null ? [] : [x]))).toEqual([0]);
    expect(series[0]!.data.every((v) => v === null)).toBe(true);
  });

  it('says in the tooltip how far the hour is and compares it with yesterday at the same minute, escaped', () => {
    const option = trendOption(
      hours(asOf, () => ({ incident: 6, dispute: 2 })),
      asOf,
    );
    const fmt = (option.tooltip as { formatter: Fmt }).formatter;
    expect(fmt([{ axisValue: '10时', dataIndex: 10, seriesIndex: 3 }])).toBe(
      '10时 · 矛盾纠纷<br/>进行中（已过 30 分钟）：2 件<br/>昨日同时段约 1 件<br/>昨日：2 件',
    );
    expect(fmt([{ axisValue: '<b>', dataIndex: 9, seriesIndex: 0 }])).toBe(
      '&lt;b&gt; · 案事件<br/>今日：6 件<br/>昨日：6 件',
    );
  });
});

describe('category composition', () => {
  it('keeps the largest categories with Chinese labels and ignores unknown keys', () => {
    const rows = categoryRows({ criminal: 3, family: 9, fraud: 0, bogus: 99 } as never);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['婚姻家庭', 9],
      ['刑事案件', 3],
    ]);
    expect(rows[0]!.kindLabel).toBe('矛盾纠纷');
    const option = categoryOption(rows);
    expect(seriesOf(option)[0]!.data).toEqual([9, 3]);
  });

  it('caps the bars at the limit', () => {
    const many = Object.fromEntries(
      ['criminal', 'public_order', 'homicide', 'fraud', 'traffic', 'fire', 'petition', 'family', 'land', 'debt'].map(
        (c, i) => [c, i + 1],
      ),
    );
    expect(categoryRows(many)).toHaveLength(8);
  });
});

describe('dispute funnel', () => {
  it('counts each stage as the cases at it or beyond, failures stopping at 调处', () => {
    const stages = funnelStages(
      { received: 4, dispatched: 3, mediating: 2, resolved: 5, failed: 1, verified: 2 },
      { received: 9, dispatched: 1 },
    );
    expect(stages.map((s) => [s.label, s.reached])).toEqual([
      ['受理', 17],
      ['分流', 13],
      ['调处', 10],
      ['化解', 7],
      ['核验', 2],
    ]);
    expect(stages[0]!.waiting).toBe(9);
    expect(stages[3]!.waiting).toBeNull();
  });

  it('draws each stage as its share of the first, and a stage nobody reached as no bar at all', () => {
    expect(funnelShares(funnelStages({ received: 1, resolved: 1 }, {}))).toEqual([1, 0.5, 0.5, 0.5, 0]);
    expect(funnelShares(funnelStages({}, {}))).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('channels', () => {
  it('lists every channel in a fixed order with its share', () => {
    const rows = channelRows({ police_110: 30, grid: 10 });
    expect(rows).toHaveLength(7);
    expect(rows[0]).toMatchObject({ channel: 'grid', label: '网格上报', value: 10, share: 0.25 });
    expect(channelRows({}).every((r) => r.share === 0)).toBe(true);
  });
});

describe('map', () => {
  const features: MapFeature[] = [
    { code: '6201', name: '兰州市', cp: [103.8, 36.0] },
    { code: '6207', name: '张掖市', cp: [100.4, 38.9] },
    { code: '6209', name: '酒泉市', cp: [98.5, 39.7] },
  ];
  const children = [
    child('6201', '兰州市', { today: 12, open: 4 }),
    child('6207', '张掖市', { today: 3, red: 2, yellow: 1 }),
  ];

  it('gives every drawn region a value, zero when it has no cases', () => {
    const data = mapData(features, children, 'today');
    expect(data.map((d) => [d.name, d.code, d.value])).toEqual([
      ['兰州市', '6201', 12],
      ['张掖市', '6207', 3],
      ['酒泉市', '6209', 0],
    ]);
  });

  it('colours the 预警 measure by the most severe open level', () => {
    const data = mapData(features, children, 'alerts');
    expect(data[1]).toMatchObject({ value: 4, count: 3 });
    const option = mapOption({ mapName: '62', features, children, measure: 'alerts', ripples: [], now: 0 });
    expect((option.visualMap as { type: string }).type).toBe('piecewise');
  });

  it('rounds the colour scale and draws one map item per feature', () => {
    expect(niceMax([487])).toBe(500);
    expect(niceMax([0])).toBe(5);
    expect(niceMax([1200])).toBe(2000);
    const option = mapOption({ mapName: '62', features, children, measure: 'today', ripples: [], now: 0 });
    expect((option.geo as { map: string }).map).toBe('62');
    expect(seriesOf(option)[0]!.data).toHaveLength(3);
    expect((option.visualMap as { max: number }).max).toBe(20);
  });

  it('writes region names above the ripples, short, and lets clicks through to the region', () => {
    const withLinxia = [...features, { code: '6229', name: '临夏回族自治州', cp: [103.2, 35.6] as [number, number] }];
    const option = mapOption({ mapName: '62', features: withLinxia, children, measure: 'today', ripples: [], now: 0 });
    const labels = seriesOf(option)[4]!;
    expect(labels).toMatchObject({ silent: true });
    // Above every other layer, the stage's pulsing spot included: no ripple sits on a name.
    const spotted = mapOption({
      mapName: '62',
      features: withLinxia,
      children,
      measure: 'today',
      ripples: [],
      now: 0,
      spot: { lng: 100.45, lat: 38.93 },
      zoom: 3,
    });
    const [names, ...others] = [4, 0, 1, 2, 3, 5].map((i) => Number(seriesOf(spotted)[i]!.zlevel ?? 0));
    expect(seriesOf(spotted)).toHaveLength(6);
    expect(names).toBeGreaterThan(Math.max(...others));
    expect((labels.data as Array<{ name: string }>).map((d) => d.name)).toEqual([
      '兰州市',
      '张掖市',
      '酒泉市',
      '临夏回族自治州',
    ]);
    expect((labels.label as { formatter: Fmt }).formatter({ name: '临夏回族自治州' })).toBe('临夏州');
    expect((option.geo as { label: { show: boolean } }).label.show).toBe(false);
    // Without a label point for every region, the map writes the names itself.
    const bare = mapOption({
      mapName: '62',
      features: [{ code: '6201', name: '兰州市' }],
      children,
      measure: 'today',
      ripples: [],
      now: 0,
    });
    expect((option.visualMap as { text: string[] }).text[0]).toBe('20 件');
    expect(seriesOf(bare)[4]!.data).toEqual([]);
    expect((bare.geo as { label: { show: boolean } }).label.show).toBe(true);
  });

  it('ripples fresh events, settles older ones into dots and pulses regions with red alerts', () => {
    const now = 100_000;
    const p = (id: string, at: number): RipplePoint => ({
      id,
      lng: 100,
      lat: 38,
      at,
      severity: 2,
      regionName: '甘州区',
      summary: '<script>',
    });
    const option = mapOption({
      mapName: '62',
      features,
      children,
      measure: 'today',
      ripples: [p('old', now - 60_000), p('new', now - 1000)],
      now,
    });
    const [, rippling, dots, pulses] = seriesOf(option);
    expect(rippling!.data).toHaveLength(1);
    expect(dots!.data).toHaveLength(1);
    expect(pulses!.data).toEqual([{ name: '张掖市', value: [100.4, 38.9], count: 2 }]);
    const html = (option.tooltip as { formatter: Fmt }).formatter({
      seriesIndex: 1,
      name: '甘州区',
      data: { summary: '<script>' },
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('caps the number of rippling points', () => {
    const ripples = Array.from({ length: 500 }, (_, i): RipplePoint => ({
      id: String(i),
      lng: 100,
      lat: 38,
      at: 0,
      severity: 1,
      regionName: '',
      summary: '',
    }));
    const [, rippling, dots] = seriesOf(
      mapOption({ mapName: '62', features, children, measure: 'today', ripples, now: 1, maxRippling: 300 }),
    );
    expect(rippling!.data).toHaveLength(300);
    expect(dots!.data).toHaveLength(200);
  });
});

describe('boundaries', () => {
  const square = (x: number, y: number, size: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y],
      ],
    ],
  });

  it('reads code, name and label point, and marks regions far smaller than the largest', () => {
    const features = featuresOf({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: '6202', name: '嘉峪关市', cp: [98.3, 39.8] },
          geometry: square(98, 39.5, 0.5),
        },
        {
          type: 'Feature',
          properties: { code: '6209', name: '酒泉市', cp: [98.5, 39.7] },
          geometry: {
            type: 'MultiPolygon',
            coordinates: [
              [
                [
                  [92, 38],
                  [100, 38],
                  [100, 43],
                  [92, 38],
                ],
              ],
            ],
          },
        },
        { type: 'Feature', properties: { name: 'no code' } as never, geometry: square(0, 0, 1) },
      ],
    });
    expect(features).toEqual([
      {
        code: '6202',
        name: '嘉峪关市',
        cp: [98.3, 39.8],
        small: true,
        area: 0.25,
        centre: [98.25, 39.75],
        box: [98, 39.5, 98.5, 40],
      },
      { code: '6209', name: '酒泉市', cp: [98.5, 39.7], area: 40, centre: [96, 40.5], box: [92, 38, 100, 43] },
    ]);
    expect(bboxArea(square(0, 0, 2))).toBe(4);
    expect(bboxArea(null)).toBe(0);
  });
});

describe('the nation map', () => {
  it('greys the places no province served covers (台湾, 香港, 澳门) instead of drawing them as zero', () => {
    const nation = [
      { code: '44', name: '广东' },
      { code: '62', name: '甘肃' },
      { code: '71', name: '台湾' },
      { code: '81', name: '香港' },
      { code: '82', name: '澳门' },
    ];
    const kids = [
      {
        code: '44',
        name: '广东省',
        counts: { today: { incident: 5, dispute: 1 }, open: { incident: 0, dispute: 0 }, overdue: { dispute: 0 } },
        alerts: { red: 0, orange: 0, yellow: 0, blue: 0 },
      },
      {
        code: '62',
        name: '甘肃省',
        counts: { today: { incident: 2, dispute: 0 }, open: { incident: 0, dispute: 0 }, overdue: { dispute: 0 } },
        alerts: { red: 0, orange: 0, yellow: 0, blue: 0 },
      },
    ];
    expect(mapData(nation, kids, 'today').map((d) => d.code)).toEqual(['44', '62']);
    const option = mapOption({
      mapName: 'china',
      features: nation,
      children: kids,
      measure: 'today',
      ripples: [],
      now: 0,
    });
    const grey = (option.geo as { regions: Array<{ name: string; itemStyle?: { areaColor?: string } }> }).regions
      .filter((r) => r.itemStyle?.areaColor)
      .map((r) => r.name);
    expect(grey).toEqual(['台湾', '香港', '澳门']);
  });
});
