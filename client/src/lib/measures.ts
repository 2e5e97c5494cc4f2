import type { IndexCoverage, SafetyIndexReply } from '../../../shared/schemas/safety-index.ts';
import type { ChildSummary, LevelCounts } from '../../../shared/schemas/snapshot.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../../shared/vocab.ts';

/** What the map, the ranked list and the 下级排名 panel colour and sort the children by. */
export const MEASURES = ['today', 'open', 'overdue', 'alerts', 'problems', 'index'] as const;
export type Measure = (typeof MEASURES)[number];

export const MEASURE_LABELS: Record<Measure, string> = {
  today: '今日案事件',
  open: '在办矛盾',
  overdue: '超期',
  alerts: '预警',
  problems: '重点问题',
  index: '平安指数',
};

/** The unit a measure's numbers are in, shown small beside them. */
export const MEASURE_UNITS: Record<Measure, string> = {
  today: '件',
  open: '件',
  overdue: '件',
  alerts: '条',
  problems: '星',
  index: '分',
};

/** Children's 平安指数 by code, from `GET /api/v1/index` (the snapshot does not carry it). */
export type IndexScores = ReadonlyMap<string, number | null>;

/** The children's scores of a 平安指数 reply when it is for `code`, else null (still loading). */
export function indexScores(reply: SafetyIndexReply | null, code: string | null): IndexScores | null {
  return reply && reply.region.code === code ? new Map(reply.children.map((c) => [c.code, c.score])) : null;
}

/** Children's indicator coverage (4/6 项) by code, from the same reply; null while it is for another region. */
export type IndexCoverages = ReadonlyMap<string, IndexCoverage>;

export function indexCoverage(reply: SafetyIndexReply | null, code: string | null): IndexCoverages | null {
  return reply && reply.region.code === code ? new Map(reply.children.map((c) => [c.code, c.coverage])) : null;
}

/** Measures where the low values are the ones to look at (higher 平安指数 = safer). */
export function lowIsWorse(measure: Measure): boolean {
  return measure === 'index';
}

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

/**
 * A child's value for a measure. Missing parts (a child with no cases yet) count as zero; a
 * 平安指数 not (yet) known is null.
 */
export function measureOf(child: ChildSummary, measure: Measure, scores?: IndexScores | null): number | null {
  switch (measure) {
    case 'today':
      return child.counts?.today?.incident ?? 0;
    case 'open':
      return child.counts?.open?.dispute ?? 0;
    case 'overdue':
      return child.counts?.overdue?.dispute ?? 0;
    case 'alerts':
      return totalAlerts(child.alerts);
    case 'problems':
      // Open 重点问题 stars below the child: what 降星销号 still has to take off.
      return child.problems?.stars ?? 0;
    case 'index':
      return scores?.get(child.code) ?? null;
  }
}

export interface RankedChild {
  code: string;
  name: string;
  value: number;
  /** Most severe open alert level below this child, for the red dot. */
  level: WarningLevel | null;
  /** 平安指数 scored on only some of its indicators: shown as 4/6 项, ranked after the complete ones. */
  partial?: IndexCoverage;
}

/**
 * Children ranked by a measure, the ones to look at first: largest first, or lowest first for the
 * 平安指数 (children without a score are left out). Ties keep code order so the list does not jitter.
 */
export function rankChildren(
  children: readonly ChildSummary[],
  measure: Measure,
  scores?: IndexScores | null,
  coverage?: IndexCoverages | null,
): RankedChild[] {
  const sign = lowIsWorse(measure) ? -1 : 1;
  return children
    .flatMap((c, i) => {
      const value = measureOf(c, measure, scores);
      const cov = measure === 'index' ? coverage?.get(c.code) : undefined;
      // Like with like: a total over fewer indicators ranks after every total over more.
      const scored = cov?.scored ?? 0;
      return value === null ? [] : [{ c, i, value, scored, cov }];
    })
    .sort((a, b) => b.scored - a.scored || sign * (b.value - a.value) || a.i - b.i)
    .map(({ c, value, cov }) => ({
      code: c.code,
      name: c.name,
      value,
      level: topLevel(c.alerts),
      ...(cov && cov.scored < cov.total ? { partial: cov } : {}),
    }));
}
