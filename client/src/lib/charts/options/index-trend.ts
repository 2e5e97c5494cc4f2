import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { IndexTrendPoint } from '../../../../../shared/schemas/safety-index.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';

export type IndexTrendOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

/** `2026-03` → `3月` */
export function monthLabel(month: string): string {
  return `${Number(month.slice(5, 7))}月`;
}

/**
 * The published months as a solid line and the provisional (暂估) month as a dashed step from the
 * last published one, so a reader sees which point may still move.
 */
export function indexTrendSeries(trend: readonly IndexTrendPoint[]): {
  published: Array<number | null>;
  provisional: Array<number | null>;
} {
  const published = trend.map((p) => (p.provisional ? null : p.score));
  const provisional = trend.map((p, i) => (p.provisional || trend[i + 1]?.provisional ? p.score : null));
  return { published, provisional };
}

/** Bottom of the y axis: a little under the lowest score, in tens, so small moves stay visible. */
export function trendFloor(trend: readonly IndexTrendPoint[]): number {
  const scores = trend.flatMap((p) => (p.score === null ? [] : [p.score]));
  if (scores.length === 0) return 0;
  return Math.max(0, Math.floor((Math.min(...scores) - 5) / 10) * 10);
}

export function indexTrendOption(trend: readonly IndexTrendPoint[]): IndexTrendOption {
  const { published, provisional } = indexTrendSeries(trend);
  const last = trend.length - 1;
  const line = { type: 'line' as const, symbol: 'circle', symbolSize: 6, animation: false, connectNulls: false };
  return {
    textStyle: { fontFamily: THEME.font },
    grid: { left: 8, right: 14, top: 10, bottom: 24 },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'axis',
      formatter: (params: unknown) => {
        const p = (Array.isArray(params) ? params : [params]) as Array<{ dataIndex?: number }>;
        const point = trend[p[0]?.dataIndex ?? -1];
        if (!point) return '';
        const tag = point.provisional ? '（暂估）' : '';
        return `${escapeHtml(point.month)}<br/>平安指数：${escapeHtml(point.score ?? '—')}${tag}`;
      },
    },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: trend.map((p) => monthLabel(p.month)),
      axisLine: { lineStyle: { color: THEME.accentSoft } },
      axisTick: { show: false },
      // First and last month only: twelve labels do not fit in a third of a panel.
      axisLabel: { color: THEME.textDim, fontSize: THEME.small, interval: (i: number) => i === 0 || i === last },
    },
    yAxis: { type: 'value', min: trendFloor(trend), max: 100, show: false },
    series: [
      {
        ...line,
        name: '已发布',
        data: published,
        lineStyle: { width: 2, color: THEME.accent },
        itemStyle: { color: THEME.accent },
      },
      {
        ...line,
        name: '暂估',
        // The bridging point is the published one: drawn by the solid line, not hollow again here.
        data: provisional.map((v, i) => (v !== null && !trend[i]!.provisional ? { value: v, symbol: 'none' } : v)),
        lineStyle: { width: 2, type: 'dashed', color: THEME.accent },
        itemStyle: { color: THEME.ground, borderColor: THEME.accent, borderWidth: 2 },
      },
    ],
  };
}
