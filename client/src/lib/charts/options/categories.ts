import type { BarSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { CATEGORY_LABELS, KIND_LABELS, isIncidentCategory, type Category } from '../../../../../shared/vocab.ts';
import { exactCount, formatCount } from '../../format.ts';
import { escapeHtml } from '../escape.ts';
import { THEME, TOOLTIP_BASE } from '../theme.ts';

export type CategoryOption = ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption>;

export interface CategoryRow {
  category: Category;
  label: string;
  kindLabel: string;
  value: number;
}

/** Today's categories with cases, largest first, at most `limit` (the panel fits eight bars). */
export function categoryRows(byCategory: Partial<Record<Category, number>> | undefined, limit = 8): CategoryRow[] {
  return Object.entries(byCategory ?? {})
    .filter((e): e is [Category, number] => e[0] in CATEGORY_LABELS && typeof e[1] === 'number' && e[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([category, value]) => ({
      category,
      label: CATEGORY_LABELS[category],
      kindLabel: KIND_LABELS[isIncidentCategory(category) ? 'incident' : 'dispute'],
      value,
    }));
}

export function categoryOption(rows: readonly CategoryRow[]): CategoryOption {
  return {
    textStyle: { fontFamily: THEME.font },
    // Right of the bars: room for the widest label the format writes (2000万).
    grid: { left: 96, right: 76, top: 8, bottom: 8 },
    tooltip: {
      ...TOOLTIP_BASE,
      trigger: 'item',
      formatter: (p: unknown) => {
        const row = rows[(p as { dataIndex?: number }).dataIndex ?? -1];
        return row
          ? `${escapeHtml(row.label)}（${escapeHtml(row.kindLabel)}）<br/>今日 ${escapeHtml(exactCount(row.value))} 件`
          : '';
      },
    },
    xAxis: { type: 'value', show: false, min: 0, max: Math.max(1, ...rows.map((r) => r.value)) },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((r) => r.label),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: THEME.text, fontSize: THEME.body },
    },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => r.value),
        barWidth: 12,
        showBackground: true,
        backgroundStyle: { color: 'rgba(53, 214, 255, 0.06)' },
        itemStyle: {
          borderRadius: [0, 6, 6, 0],
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 1,
            y2: 0,
            colorStops: [
              { offset: 0, color: 'rgba(53, 214, 255, 0.25)' },
              { offset: 1, color: THEME.accent },
            ],
          },
        },
        label: {
          show: true,
          position: 'right',
          color: THEME.text,
          fontSize: THEME.body,
          fontFamily: THEME.font,
          // 2000万, not 20000000: the label fits the room right of the longest bar.
          formatter: (p: unknown) => formatCount((p as { value?: number }).value ?? 0),
        },
      },
    ],
  };
}
