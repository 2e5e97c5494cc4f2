import type { EffectScatterSeriesOption, MapSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GeoComponentOption, TooltipComponentOption, VisualMapComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { ChildSummary } from '../../../../../shared/schemas/snapshot.ts';
import { WARNING_LEVELS, WARNING_LEVEL_COLOURS, WARNING_LEVEL_LABELS } from '../../../../../shared/vocab.ts';
import type { IndexCoverage } from '../../../../../shared/schemas/safety-index.ts';
import {
  coverageText,
  MEASURE_LABELS,
  MEASURE_UNITS,
  measureOf,
  partialCoverage,
  topLevel,
  totalAlerts,
  type IndexScores,
  type Measure,
} from '../../measures.ts';
import { shortName } from '../../names.ts';
import { eventPointSeries, eventPointTooltip, splitByAge } from './event-points.ts';
import { mapLabels, NATION_LABEL_PLACES } from './map-labels.ts';
import type { RipplePoint } from '../../state/ripples.svelte.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';
import { exactCount, formatCount } from '../../format.ts';

export type MapOption = ComposeOption<
  | MapSeriesOption
  | EffectScatterSeriesOption
  | ScatterSeriesOption
  | GeoComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** A child region as drawn from /geo/<code>.json. */
export interface MapFeature {
  code: string;
  name: string;
  cp?: [number, number];
  /** Much smaller than the largest sibling: its label is lifted so it does not sit on a neighbour's. */
  small?: boolean;
  /** Bounding-box area in square degrees: ranks names where they collide. */
  area?: number;
  /** Middle of the bounding box: where a large region's name goes when its seat is crowded. */
  centre?: [number, number];
  /** Bounding box `[minLng, minLat, maxLng, maxLat]`: what a map below the county zooms within. */
  box?: [number, number, number, number];
}

export interface MapInput {
  /** The name the map was registered under (the parent region's code). */
  mapName: string;
  features: readonly MapFeature[];
  children: readonly ChildSummary[];
  measure: Measure;
  /** Children's 平安指数, for that measure. */
  scores?: IndexScores | null;
  ripples: readonly RipplePoint[];
  now: number;
  /** How long a point ripples before it settles into a dot. */
  rippleForMs?: number;
  /** At most this many points ripple at once (the rest are dots): effects cost a redraw per frame. */
  maxRippling?: number;
  /** The place of an alert on stage (a red alert that just came, or one put up): it pulses. */
  spot?: { lng: number; lat: number } | null;
  /** Zoom on the spot by this factor (a wall above county level); 1 or absent: the whole map. */
  zoom?: number;
}

/** A map series item: `name` is the feature name ECharts matches; the rest is for tooltips and clicks. */
export interface MapDatum {
  name: string;
  code: string;
  value: number;
  /** For the 预警 measure: the open alert count (value is then the level rank 0–4). */
  count: number;
  /** For the 平安指数: a score resting on only some of its indicators says on how many. */
  partial?: IndexCoverage;
}

/**
 * Where the 南海诸岛 inset's name goes: under the box ECharts draws for the map named `china`
 * (echarts/lib/coord/geo/fix/nanhai.js: its frame spans 126–132.1°E, 25–18.4°N).
 */
const NANHAI_LABEL: [number, number] = [129.05, 17.6];

/** Rank of the most severe level for the 预警 measure: red 4 … blue 1, none 0. */
const LEVEL_VALUE = { red: 4, orange: 3, yellow: 2, blue: 1 } as const;

/** One datum per feature, so every drawn region has a value (0 when it has no cases yet). */
export function mapData(
  features: readonly MapFeature[],
  children: readonly ChildSummary[],
  measure: Measure,
  scores?: IndexScores | null,
): MapDatum[] {
  if (measure === 'index') {
    // A region without a score keeps the empty fill rather than reading as 0, the least safe.
    return features.flatMap((f) => {
      const s = scores?.get(f.code);
      const v = s?.score;
      const partial = partialCoverage(s);
      return typeof v === 'number'
        ? [{ name: f.name, code: f.code, value: v, count: v, ...(partial ? { partial } : {}) }]
        : [];
    });
  }
  const byCode = new Map(children.map((c) => [c.code, c]));
  const outside = new Set(noData({ features, children }).map((f) => f.code));
  return features.flatMap((f) => {
    const child = byCode.get(f.code);
    // A place in no province served (台湾, 香港, 澳门 on the nation's map) has no figures: it is
    // drawn greyed (geo regions below), not as a zero.
    if (outside.has(f.code)) return [];
    if (measure === 'alerts') {
      const level = topLevel(child?.alerts);
      return [{ name: f.name, code: f.code, value: level ? LEVEL_VALUE[level] : 0, count: totalAlerts(child?.alerts) }];
    }
    const value = child ? (measureOf(child, measure) ?? 0) : 0;
    return [{ name: f.name, code: f.code, value, count: value }];
  });
}

/**
 * Features in none of the children's provinces, once the children are known: places the system
 * has no data for (台湾, 香港, 澳门, and provinces a deployment does not serve), drawn grey.
 */
export function noData(input: Pick<MapInput, 'features' | 'children'>): MapFeature[] {
  if (!input.children.length) return [];
  const served = new Set(input.children.map((c) => c.code.slice(0, 2)));
  return input.features.filter((f) => !served.has(f.code.slice(0, 2)));
}

/** A round upper bound for the colour scale, so the legend reads 0 … 500 rather than 0 … 487. */
export function niceMax(values: readonly number[]): number {
  const max = Math.max(0, ...values);
  if (max <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/**
 * Low end of the 平安指数 scale: the lowest score rounded down to ten, never above 60, so a spread
 * of 80–90 keeps its shades and a 45 is not clipped.
 */
export function indexFloor(values: readonly number[]): number {
  return Math.max(0, Math.min(60, Math.floor(Math.min(100, ...values) / 10) * 10));
}

function visualMap(measure: Measure, data: readonly MapDatum[]): VisualMapComponentOption {
  const common = {
    seriesIndex: 0,
    left: 12,
    bottom: 10,
    orient: 'horizontal' as const,
    itemWidth: 14,
    itemHeight: 14,
    textStyle: { color: THEME.textDim, fontSize: THEME.small, fontFamily: THEME.font },
  };
  if (measure === 'alerts') {
    return {
      ...common,
      type: 'piecewise',
      // Listed 红 … 蓝, 无: the national order, most severe first.
      inverse: true,
      itemGap: 14,
      pieces: [
        ...WARNING_LEVELS.map((l) => ({
          value: LEVEL_VALUE[l],
          label: WARNING_LEVEL_LABELS[l].replace('预警', ''),
          color: WARNING_LEVEL_COLOURS[l],
        })),
        { value: 0, label: '无', color: THEME.mapEmpty },
      ],
    };
  }
  if (measure === 'index') {
    const min = indexFloor(data.map((d) => d.value));
    // Higher is safer, so the ramp runs backwards: the least safe regions are the brightest.
    return {
      ...common,
      type: 'continuous',
      min,
      max: 100,
      itemHeight: 180,
      calculable: false,
      realtime: false,
      text: ['100 分', `${min} 需关注`],
      inRange: { color: [...THEME.ramp].reverse() },
    };
  }
  return {
    ...common,
    type: 'continuous',
    min: 0,
    max: niceMax(data.map((d) => d.value)),
    itemHeight: 180,
    calculable: false,
    realtime: false,
    text: [`${formatCount(niceMax(data.map((d) => d.value)))} ${MEASURE_UNITS[measure]}`, '0'],
    inRange: { color: [...THEME.ramp] },
  };
}

/**
 * Per-region exceptions to the geo's style: a small region's label lifted off its neighbour's, and
 * a 平安指数 on fewer indicators edged dashed, as its row and tile are.
 */
function geoRegions(features: readonly MapFeature[], data: readonly MapDatum[]): GeoComponentOption['regions'] {
  const partial = new Set(data.flatMap((d) => (d.partial ? [d.code] : [])));
  return features.flatMap((f) =>
    f.small || partial.has(f.code)
      ? [
          {
            name: f.name,
            ...(f.small ? { label: { offset: [0, -18] } } : {}),
            ...(partial.has(f.code)
              ? { itemStyle: { borderType: 'dashed' as const, borderColor: THEME.textDim } }
              : {}),
          },
        ]
      : [],
  );
}

export function mapOption(input: MapInput): MapOption {
  const { measure, now } = input;
  const data = mapData(input.features, input.children, measure, input.scores);
  const { rippling, settled } = splitByAge(input.ripples, now, input.rippleForMs ?? 10_000, input.maxRippling ?? 100);
  const [ripples, dots] = eventPointSeries(rippling, settled, {
    rippleSize: (severity) => 6 + 2 * severity,
    dotSize: 4,
    dotColour: 'rgba(233, 251, 255, 0.5)',
    large: true,
  });

  const byCode = new Map(input.children.map((c) => [c.code, c]));
  const pulses = input.features
    .filter((f) => f.cp && (byCode.get(f.code)?.alerts?.red ?? 0) > 0)
    .map((f) => ({ name: f.name, value: [...f.cp!], count: byCode.get(f.code)!.alerts.red }));

  // Names are drawn on a layer above the ripples and dots (events cluster around the towns, right
  // where the names are) whenever every region has a label point; otherwise the map draws them.
  const labelsOnTop = input.features.length > 0 && input.features.every((f) => f.cp);
  const greyed = new Set(noData(input).map((f) => f.name));
  const names = labelsOnTop
    ? [
        // A place without data is named in a muted colour, as its fill is grey.
        ...mapLabels(input.features, input.mapName === 'china' ? NATION_LABEL_PLACES : {}).map((l) =>
          greyed.has(l.name) ? { ...l, label: { ...l.label, color: THEME.textDim } } : l,
        ),
        // The inset ECharts adds to the national map (the 南海诸岛 box, bottom right) is named under it.
        ...(input.mapName === 'china'
          ? [{ name: '南海诸岛', value: NANHAI_LABEL, symbolSize: 0, label: { color: THEME.textDim } }]
          : []),
      ]
    : [];
  const labelStyle = {
    show: true,
    // 临夏州, not 临夏回族自治州: long labels run into their neighbours' (the tooltip has the full name).
    formatter: (p: unknown) => shortName((p as { name?: string }).name ?? ''),
    color: THEME.text,
    // A city's few counties have room for names a size up; a province's many do not.
    fontSize: input.features.length <= 10 ? THEME.body : THEME.small,
    fontFamily: THEME.font,
    textBorderColor: 'rgba(2, 11, 31, 0.9)',
    textBorderWidth: 3,
  };

  return {
    textStyle: { fontFamily: THEME.font },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'item',
      formatter: (params: unknown) => {
        const p = params as { seriesIndex?: number; name?: string; data?: Record<string, unknown> };
        if (p.seriesIndex === 0) {
          const d = p.data as MapDatum | undefined;
          if (!d) return greyed.has(p.name ?? '') ? `${escapeHtml(p.name)}<br/>暂无数据` : escapeHtml(p.name);
          // A score reads as on the tiles and in the ranking: 85.0, not 85.
          const value = measure === 'index' ? d.count.toFixed(1) : exactCount(d.count);
          const line = `${escapeHtml(d.name)}<br/>${escapeHtml(MEASURE_LABELS[measure])}：${escapeHtml(value)} ${MEASURE_UNITS[measure]}`;
          // Beside a score on fewer indicators: on how many, and that it is ranked apart.
          return d.partial ? `${line}（${coverageText(d.partial)}）<br/>部分指标已评分，不与全部评分的地区比较` : line;
        }
        if (p.seriesIndex === 3)
          return `${escapeHtml(p.name)}<br/>红色预警 ${escapeHtml(exactCount(Number(p.data?.count)))} 条`;
        return eventPointTooltip(p);
      },
    },
    visualMap: visualMap(measure, data),
    geo: {
      map: input.mapName,
      roam: false,
      // ECharts 6 stretches a map to its box unless told: on a splice wall Gansu came out flattened.
      preserveAspect: 'contain',
      top: 12,
      bottom: 44,
      left: 8,
      right: 8,
      selectedMode: false,
      // Zoomed, the spot sits in the left third: the alert's card covers the map's right side.
      ...(input.spot && input.zoom && input.zoom > 1
        ? {
            center: [input.spot.lng, input.spot.lat],
            zoom: input.zoom,
            layoutCenter: ['30%', '50%'],
            layoutSize: '90%',
          }
        : {}),
      regions: [
        ...(geoRegions(input.features, data) ?? []),
        ...noData(input).map((f) => ({
          name: f.name,
          itemStyle: { areaColor: THEME.mapNoData, borderColor: THEME.mapBorder },
          emphasis: { disabled: true },
        })),
      ],
      label: labelsOnTop ? { show: false } : labelStyle,
      itemStyle: {
        areaColor: THEME.mapEmpty,
        borderColor: THEME.mapBorder,
        borderWidth: 1.2,
        shadowColor: 'rgba(53, 214, 255, 0.35)',
        shadowBlur: 8,
      },
      emphasis: {
        label: labelsOnTop ? { show: false } : { color: '#ffffff', fontSize: THEME.body },
        itemStyle: { areaColor: '#2a5d8c', borderColor: THEME.accent, borderWidth: 2 },
      },
    },
    series: [
      {
        type: 'map',
        geoIndex: 0,
        name: MEASURE_LABELS[measure],
        data,
      },
      ripples,
      dots,
      {
        type: 'effectScatter',
        coordinateSystem: 'geo',
        zlevel: 1,
        data: pulses,
        symbolSize: 14,
        // Just below the region's label point, so the pulse does not cover the name.
        symbolOffset: [0, 16],
        showEffectOn: 'render',
        rippleEffect: { brushType: 'fill', scale: 3.5, period: 2 },
        itemStyle: { color: WARNING_LEVEL_COLOURS.red },
      },
      {
        type: 'scatter',
        coordinateSystem: 'geo',
        // Above the stage's spot: zoomed on an alert, its ripple sat on the nearest city's name.
        zlevel: 3,
        // Clicks and hovers go through to the region underneath.
        silent: true,
        animation: false,
        // The points only rank the names for hideOverlap (see mapLabels); they are never seen.
        itemStyle: { opacity: 0 },
        // A label takes its symbol's opacity unless told: without this every name was invisible.
        label: { ...labelStyle, position: 'inside', opacity: 1 },
        // Small regions' names moved clear of their neighbours' first, then overlaps hidden.
        labelLayout: (p: { dataIndex?: number }) => {
          const [dx, dy] = names[p.dataIndex ?? -1]?.shift ?? [0, 0];
          return { hideOverlap: true, dx, dy };
        },
        data: names,
      },
      {
        type: 'effectScatter',
        coordinateSystem: 'geo',
        zlevel: 2,
        silent: true,
        data: input.spot ? [{ name: 'stage', value: [input.spot.lng, input.spot.lat] }] : [],
        symbolSize: 26,
        showEffectOn: 'render',
        rippleEffect: { brushType: 'stroke', scale: 5, period: 1.6, number: 3 },
        itemStyle: { color: WARNING_LEVEL_COLOURS.red, borderColor: '#ffffff', borderWidth: 2 },
      },
    ],
  };
}
