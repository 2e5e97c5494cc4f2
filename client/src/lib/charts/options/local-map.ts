import type { EffectScatterSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { GeoComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { RipplePoint } from '../../state/ripples.svelte.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';
import { eventPointSeries, eventPointTooltip, splitByAge } from './event-points.ts';
import type { MapFeature } from './map.ts';

export type LocalMapOption = ComposeOption<
  EffectScatterSeriesOption | ScatterSeriesOption | GeoComponentOption | TooltipComponentOption
>;

/** `[[west, north], [east, south]]`, ECharts' `geo.boundingCoords`. */
export type View = [[number, number], [number, number]];

/** The smallest span shown, in degrees (about 40 km, so the county's edge is often in view): one event is not zoomed to a speck. */
const MIN_SPAN = 0.4;
/** Room left around the events, as a share of their spread. */
const PAD = 0.3;

/**
 * What the map shows below the county. There are no township polygons: the township's (or
 * village's) area is where its events are, so the view is their extent, padded, within the
 * county. Without events yet, the whole county.
 */
export function localView(county: MapFeature, points: readonly RipplePoint[]): View {
  const box = county.box ?? [county.cp![0] - 0.5, county.cp![1] - 0.5, county.cp![0] + 0.5, county.cp![1] + 0.5];
  const [bx0, by0, bx1, by1] = box;
  // A fix far outside the county is a bad GPS reading, not a reason to zoom out.
  const inside = points.filter((p) => p.lng >= bx0 && p.lng <= bx1 && p.lat >= by0 && p.lat <= by1);
  if (inside.length === 0) {
    return [
      [bx0, by1],
      [bx1, by0],
    ];
  }
  const xs = inside.map((p) => p.lng);
  const ys = inside.map((p) => p.lat);
  const span = (lo: number, hi: number): [number, number] => {
    const mid = (lo + hi) / 2;
    const half = Math.max(MIN_SPAN, (hi - lo) * (1 + 2 * PAD)) / 2;
    return [mid - half, mid + half];
  };
  const [x0, x1] = span(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = span(Math.min(...ys), Math.max(...ys));
  return [
    [x0, y1],
    [x1, y0],
  ];
}

export interface LocalMapInput {
  /** The city's map, registered under the city's code: the county and its neighbours. */
  mapName: string;
  county: MapFeature;
  features: readonly MapFeature[];
  /** Located events of the shown township or village only. */
  points: readonly RipplePoint[];
  now: number;
  rippleForMs?: number;
}

export function localMapOption(input: LocalMapInput): LocalMapOption {
  const { rippling, settled } = splitByAge(input.points, input.now, input.rippleForMs ?? 10_000);
  return {
    textStyle: { fontFamily: THEME.font },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'item',
      formatter: (params: unknown) => eventPointTooltip(params as Parameters<typeof eventPointTooltip>[0]),
    },
    geo: {
      map: input.mapName,
      roam: false,
      boundingCoords: localView(input.county, input.points),
      preserveAspect: 'contain',
      top: 12,
      bottom: 12,
      left: 8,
      right: 8,
      selectedMode: false,
      silent: true,
      label: { show: false },
      itemStyle: { areaColor: THEME.ground, borderColor: THEME.accentFaint, borderWidth: 1 },
      // The county itself stands out from its neighbours, which are there for orientation only.
      regions: [
        {
          name: input.county.name,
          itemStyle: { areaColor: THEME.mapEmpty, borderColor: THEME.mapBorder, borderWidth: 2 },
          label: { show: true, color: THEME.textDim, fontSize: THEME.body, fontFamily: THEME.font },
        },
      ],
    },
    // Larger than on the province's map: a township's few events are the whole picture.
    series: eventPointSeries(rippling, settled, {
      rippleSize: (severity) => 8 + 3 * severity,
      dotSize: (severity) => 5 + 2 * severity,
      dotColour: 'rgba(233, 251, 255, 0.7)',
    }),
  };
}
