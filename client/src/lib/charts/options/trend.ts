import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { HourPoint } from '../../../../../shared/schemas/snapshot.ts';
import { beijingDay, beijingParts } from '../../time.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';

export type TrendOption = ComposeOption<
  LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

export interface TrendSeries {
  /** Cases (incidents + disputes) per Beijing hour 0–23 today; null for hours still to come. */
  today: Array<number | null>;
  yesterday: Array<number | null>;
}

/**
 * Splits the 48 hourly points into today and yesterday by the Beijing calendar day of `asOf`
 * (the snapshot's own clock, not the screen's).
 */
export function trendSeries(hourly: readonly HourPoint[], asOf: string): TrendSeries {
  const now = Date.parse(asOf);
  const todayKey = beijingDay(now);
  const yesterdayKey = beijingDay(now - 86_400_000);
  const currentHour = beijingParts(now).hour;
  const today: Array<number | null> = Array.from({ length: 24 }, (_, h) => (h <= currentHour ? 0 : null));
  const yesterday: Array<number | null> = Array.from({ length: 24 }, () => 0);
  for (const p of hourly) {
    const t = Date.parse(p.hour);
    if (!Number.isFinite(t)) continue;
    const day = beijingDay(t);
    const h = beijingParts(t).hour;
    const v = (p.incident ?? 0) + (p.dispute ?? 0);
    if (day === todayKey && h <= currentHour) today[h] = (today[h] ?? 0) + v;
    else if (day === yesterdayKey) yesterday[h] = (yesterday[h] ?? 0) + v;
  }
  return { today, yesterday };
}

const HOURS = Array.from({ length: 24 }, (_, h) => `${h}时`);

export function trendOption(hourly: readonly HourPoint[], asOf: string): TrendOption {
  const { today, yesterday } = trendSeries(hourly, asOf);
  return {
    textStyle: { fontFamily: THEME.font },
    grid: { left: 52, right: 18, top: 40, bottom: 30 },
    legend: {
      top: 4,
      right: 12,
      itemWidth: 22,
      itemHeight: 10,
      textStyle: { color: THEME.textDim, fontSize: THEME.small },
      data: ['今日', '昨日'],
    },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as Array<{
          axisValue?: string;
          seriesName?: string;
          value?: unknown;
        }>;
        const head = escapeHtml(list[0]?.axisValue ?? '');
        const rows = list
          .filter((p) => typeof p.value === 'number')
          .map((p) => `${escapeHtml(p.seriesName)}：${escapeHtml(p.value)} 件`);
        return [head, ...rows].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: HOURS,
      axisLine: { lineStyle: { color: THEME.accentSoft } },
      axisTick: { show: false },
      axisLabel: { color: THEME.textDim, fontSize: THEME.small, interval: 2 },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      splitNumber: 3,
      axisLabel: { color: THEME.textDim, fontSize: THEME.small },
      splitLine: { lineStyle: { color: THEME.accentFaint } },
    },
    series: [
      {
        name: '今日',
        type: 'line',
        data: today,
        smooth: true,
        symbol: 'none',
        lineStyle: { width: 3, color: THEME.accent },
        itemStyle: { color: THEME.accent },
        areaStyle: {
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 0,
            y2: 1,
            colorStops: [
              { offset: 0, color: 'rgba(53, 214, 255, 0.35)' },
              { offset: 1, color: 'rgba(53, 214, 255, 0)' },
            ],
          },
        },
      },
      {
        name: '昨日',
        type: 'line',
        data: yesterday,
        smooth: true,
        symbol: 'none',
        lineStyle: { width: 2, type: 'dashed', color: THEME.compare },
        itemStyle: { color: THEME.compare },
      },
    ],
  };
}
