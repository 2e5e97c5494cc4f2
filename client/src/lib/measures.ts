import type { ChildSummary, LevelCounts } from '../../../shared/schemas/snapshot.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../../shared/vocab.ts';

/** What the map, the ranked list and the 下级排名 panel colour and sort the children by. */
export const MEASURES = ['today', 'open', 'overdue', 'alerts'] as const;
export type Measure = (typeof MEASURES)[number];

export const MEASURE_LABELS: Record<Measure, string> = {
  today: '今日案事件',
  open: '在办矛盾',
  overdue: '超期',
  alerts: '预警',
};

export function isMeasure(v: string | null | undefined): v is Measure {
  return (MEASURES as readonly string[]).includes(v ?? '');
}

export function totalAlerts(a: LevelCounts | undefined): number {
  return a ? a.red + a.orange + a.yellow + a.blue : 0;
}

/** The most severe level with an open alert, or null. */
export function topLevel(a: LevelCounts | undefined): WarningLevel | null {
  if (!a) return null;
  for (const l of WARNING_LEVELS) if (a[l] > 0) return l;
  return null;
}

/** A child's value for a measure. Missing parts (a child with no cases yet) count as zero. */
export function measureOf(child: ChildSummary, measure: Measure): number {
  switch (measure) {
    case 'today':
      return child.counts?.today?.incident ?? 0;
    case 'open':
      return child.counts?.open?.dispute ?? 0;
    case 'overdue':
      return child.counts?.overdue?.dispute ?? 0;
    case 'alerts':
      return totalAlerts(child.alerts);
  }
}

export interface RankedChild {
  code: string;
  name: string;
  value: number;
  /** Most severe open alert level below this child, for the red dot. */
  level: WarningLevel | null;
}

/** Children ranked by a measure, largest first; ties keep code order so the list does not jitter. */
export function rankChildren(children: readonly ChildSummary[], measure: Measure): RankedChild[] {
  return children
    .map((c, i) => ({ c, i, value: measureOf(c, measure) }))
    .sort((a, b) => b.value - a.value || a.i - b.i)
    .map(({ c, value }) => ({ code: c.code, name: c.name, value, level: topLevel(c.alerts) }));
}
