import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { HourPoint } from '../../../../../shared/schemas/snapshot.ts';
import { KIND_LABELS, type Kind } from '../../../../../shared/vocab.ts';
import { beijingDay, beijingParts } from '../../time.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';
import { exactCount, formatCount } from '../../format.ts';

export type TrendOption = ComposeOption<
  LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** One kind's cases per Beijing hour 0–23, today and yesterday. */
export interface DaySeries {
  /** Hours already over; null from the current hour on (the current one is `partial`). */
  today: Array<number | null>;
  /** The current hour so far: a part of an hour, never to be drawn as a whole one. */
  partial: number;
  yesterday: Array<number | null>;
  /** Yesterday's current hour pro rata to the minutes gone: what `partial` compares with. */
  yesterdaySoFar: number | null;
}

export interface TrendSeries {
  incident: DaySeries;
  dispute: DaySeries;
  /** Beijing hour of the snapshot (0–23). */
  currentHour: number;
  /** Minutes of the current hour gone (0–59). */
  elapsedMinutes: number;
}

const KINDS = ['incident', 'dispute'] as const satisfies readonly Kind[];

/**
 * Splits the 48 hourly points into today and yesterday by the Beijing calendar day of `asOf`
 * (the snapshot's own clock, not the screen's), per kind. The hour `asOf` falls in is kept apart:
 * drawn as a whole hour it would make every line drop at each o'clock.
 */
export function trendSeries(hourly: readonly HourPoint[], asOf: string): TrendSeries {
  const now = Date.parse(asOf);
  const todayKey = beijingDay(now);
  const yesterdayKey = beijingDay(now - 86_400_000);
  const { hour: currentHour, minute } = beijingParts(now);
  const empty = (): DaySeries => ({
    today: Array.from({ length: 24 }, (_, h) => (h < currentHour ? 0 : null)),
    partial: 0,
    yesterday: Array.from({ length: 24 }, () => 0),
    yesterdaySoFar: null,
  });
  const out: TrendSeries = { incident: empty(), dispute: empty(), currentHour, elapsedMinutes: minute };
  let sawYesterday = false;
  for (const p of hourly) {
    const t = Date.parse(p.hour);
    if (!Number.isFinite(t)) continue;
    const day = beijingDay(t);
    const h = beijingParts(t).hour;
    for (const kind of KINDS) {
      const s = out[kind];
      const v = p[kind] ?? 0;
      if (day === todayKey) {
        if (h < currentHour) s.today[h] = (s.today[h] ?? 0) + v;
        else if (h === currentHour) s.partial += v;
      } else if (day === yesterdayKey) {
        s.yesterday[h] = (s.yesterday[h] ?? 0) + v;
        sawYesterday = true;
      }
    }
  }
  if (sawYesterday)
    for (const kind of KINDS) {
      const s = out[kind];
      s.yesterdaySoFar = Math.round(((s.yesterday[currentHour] ?? 0) * minute) / 60);
    }
  return out;
}

const HOURS = Array.from({ length: 24 }, (_, h) => `${h}时`);
/** Series per kind, in this order: the finished hours, the hour in progress, yesterday. */
const NAMES = { today: '今日', partial: '进行中', yesterday: '昨日' } as const;
const PER_KIND = 3;

interface TipParam {
  axisValue?: string;
  dataIndex?: number;
  seriesIndex?: number;
  seriesName?: string;
  value?: unknown;
}

/**
 * Today against yesterday, hour by hour, as two small charts one above the other: 案事件 and
 * 矛盾纠纷 each on its own scale (incidents are several times as many; on one scale the disputes
 * would be a flat line). Today is solid, yesterday dashed grey; the hour in progress is a dashed
 * stub to an open circle marked 进行中, so a partial hour never reads as a fall.
 */
export function trendOption(hourly: readonly HourPoint[], asOf: string): TrendOption {
  const s = trendSeries(hourly, asOf);
  const h = s.currentHour;
  // The stage is always 1920×1080 CSS px, so the panel's chart box is too (about 476×215):
  // legend and the upper chart's name, the upper chart, the lower one's name, the lower chart,
  // then the hour labels.
  const grids: GridComponentOption[] = [
    { left: 44, right: 28, top: 38, height: 58 },
    { left: 44, right: 28, top: 134, height: 56 },
  ];

  const series: LineSeriesOption[] = KINDS.flatMap((kind, i) => {
    const d = s[kind];
    // The stub starts at the last finished hour (none at midnight) and ends at the partial value.
    const stub: LineSeriesOption['data'] = Array.from({ length: 24 }, (_, x) =>
      x === h ? d.partial : x === h - 1 ? { value: d.today[x] ?? 0, symbol: 'none' } : null,
    );
    const axes = { xAxisIndex: i, yAxisIndex: i };
    return [
      {
        name: NAMES.today,
        type: 'line',
        ...axes,
        data: d.today,
        smooth: true,
        smoothMonotone: 'x',
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
              { offset: 0, color: 'rgba(53, 214, 255, 0.30)' },
              { offset: 1, color: 'rgba(53, 214, 255, 0)' },
            ],
          },
        },
        z: 3,
      },
      {
        name: NAMES.partial,
        type: 'line',
        ...axes,
        data: stub,
        symbol: 'emptyCircle',
        symbolSize: 9,
        lineStyle: { width: 2, type: [4, 4], color: THEME.accent },
        itemStyle: { color: THEME.accent, borderWidth: 2 },
        label: {
          show: true,
          // Beside the point, on the side with room (the last hours are at the right edge).
          position: h >= 20 ? 'left' : 'right',
          distance: 8,
          // A little above the point, clear of the axis line when the hour has just begun.
          offset: [0, -8],
          color: THEME.text,
          fontSize: THEME.small,
          fontFamily: THEME.font,
          // Only at the partial point, not at the stub's start.
          formatter: (p: unknown) => ((p as { dataIndex?: number }).dataIndex === h ? NAMES.partial : ''),
        },
        z: 4,
      },
      {
        name: NAMES.yesterday,
        type: 'line',
        ...axes,
        data: d.yesterday,
        smooth: true,
        smoothMonotone: 'x',
        symbol: 'none',
        lineStyle: { width: 2, type: 'dashed', color: THEME.compare },
        itemStyle: { color: THEME.compare },
        z: 2,
      },
    ];
  });

  return {
    textStyle: { fontFamily: THEME.font },
    grid: grids,
    legend: {
      top: 2,
      right: 8,
      itemWidth: 22,
      itemHeight: 10,
      itemGap: 14,
      textStyle: { color: THEME.textDim, fontSize: THEME.small },
      data: [NAMES.today, NAMES.partial, NAMES.yesterday],
    },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as TipParam[];
        const first = list[0];
        const kind = KINDS[Math.floor((first?.seriesIndex ?? 0) / PER_KIND)] ?? 'incident';
        const x = first?.dataIndex ?? -1;
        const d = s[kind];
        const head = `${escapeHtml(first?.axisValue ?? '')} · ${KIND_LABELS[kind]}`;
        const rows: string[] = [];
        if (x === h) {
          rows.push(`进行中（已过 ${s.elapsedMinutes} 分钟）：${d.partial} 件`);
          if (d.yesterdaySoFar !== null) rows.push(`昨日同时段约 ${d.yesterdaySoFar} 件`);
        } else if (x >= 0 && x < h) rows.push(`今日：${escapeHtml(exactCount(d.today[x]))} 件`);
        if (x >= 0) rows.push(`昨日：${escapeHtml(exactCount(d.yesterday[x]))} 件`);
        return [head, ...rows].join('<br/>');
      },
    },
    xAxis: grids.map((_, i) => ({
      type: 'category' as const,
      gridIndex: i,
      boundaryGap: false,
      data: HOURS,
      axisLine: { lineStyle: { color: THEME.accentSoft } },
      axisTick: { show: false },
      // Hours are read off the lower chart only; the upper one shares its columns.
      axisLabel: { show: i === 1, color: THEME.textDim, fontSize: THEME.small, interval: 2 },
    })),
    yAxis: KINDS.map((kind, i) => ({
      type: 'value' as const,
      gridIndex: i,
      minInterval: 1,
      splitNumber: 2,
      name: `${KIND_LABELS[kind]} 件/时`,
      nameLocation: 'end' as const,
      // The upper name sits on the legend's line, the lower one between the charts.
      nameGap: i === 0 ? 22 : 14,
      nameTextStyle: { color: THEME.text, fontSize: THEME.small, align: 'left' as const, padding: [0, 0, 0, -40] },
      // 600万, not 6,000,000: the axis keeps its width whatever the counts.
      axisLabel: { color: THEME.textDim, fontSize: THEME.small, formatter: (v: number) => formatCount(v) },
      splitLine: { lineStyle: { color: THEME.accentFaint } },
    })),
    series,
  };
}
