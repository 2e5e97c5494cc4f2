import type { EffectScatterSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { RipplePoint } from '../../state/ripples.svelte.ts';
import { escapeHtml } from '../escape.ts';
import { THEME } from '../theme.ts';

/**
 * Located events on a map, the province's or the one below the county: a ripple says "just now"
 * for a few beats, then the point settles into a dot for the rest of its time on screen. A map
 * where hundreds of points ripple hides the one that just came, so at most `maxRippling` do.
 */
export function splitByAge(
  points: readonly RipplePoint[],
  now: number,
  rippleForMs: number,
  maxRippling = Infinity,
): { rippling: RipplePoint[]; settled: RipplePoint[] } {
  const fresh: RipplePoint[] = [];
  const old: RipplePoint[] = [];
  for (const p of points) (now - p.at < rippleForMs ? fresh : old).push(p);
  return {
    rippling: fresh.slice(-maxRippling),
    settled: [...old, ...fresh.slice(0, Math.max(0, fresh.length - maxRippling))],
  };
}

/** How the two series draw: sizes by severity (1–4), the settled dots' colour. */
export interface EventPointStyle {
  rippleSize: (severity: number) => number;
  dotSize: number | ((severity: number) => number);
  dotColour: string;
  /** ECharts' large mode for the dots: thousands of them on the province's map. */
  large?: boolean;
}

/** The ripples' and the dots' series, in that order, on the chart's geo. */
export function eventPointSeries(
  rippling: readonly RipplePoint[],
  settled: readonly RipplePoint[],
  style: EventPointStyle,
): [EffectScatterSeriesOption, ScatterSeriesOption] {
  const point = (p: RipplePoint) => ({ name: p.regionName, value: [p.lng, p.lat, p.severity], summary: p.summary });
  const { dotSize } = style;
  return [
    {
      type: 'effectScatter',
      coordinateSystem: 'geo',
      zlevel: 1,
      data: rippling.map(point),
      symbolSize: (v: number[]) => style.rippleSize(v[2] ?? 1),
      showEffectOn: 'render',
      rippleEffect: { brushType: 'stroke', scale: 4, period: 3, number: 2 },
      itemStyle: { color: THEME.ripple },
      animation: false,
    },
    {
      type: 'scatter',
      coordinateSystem: 'geo',
      data: settled.map(point),
      symbolSize: typeof dotSize === 'number' ? dotSize : (v: number[]) => dotSize(v[2] ?? 1),
      itemStyle: { color: style.dotColour },
      animation: false,
      ...(style.large ? { large: true } : {}),
    },
  ];
}

/** An event point's tooltip: where, and what happened, as text. */
export function eventPointTooltip(params: { name?: string; data?: { summary?: unknown } }): string {
  return `${escapeHtml(params.name)}<br/>${escapeHtml(params.data?.summary ?? '')}`;
}
