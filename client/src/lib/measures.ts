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

/** A child's 平安指数 and how many of its indicators it rests on (4/6 项). */
export interface IndexScore {
  score: number | null;
  coverage: IndexCoverage;
}

/** Children's 平安指数 by code, from `GET /api/v1/index` (the snapshot does not carry it). */
export type IndexScores = ReadonlyMap<string, IndexScore>;

/** The children's scores of a 平安指数 reply when it is for `code`, else null (still loading). */
export function indexScores(reply: SafetyIndexReply | null, code: string | null): IndexScores | null {
  return reply && reply.region.code === code
    ? new Map(reply.children.map((c) => [c.code, { score: c.score, coverage: c.coverage }]))
    : null;
}

/** The coverage of a score resting on only some of its indicators; undefined when all are scored. */
export function partialCoverage(s: IndexScore | undefined): IndexCoverage | undefined {
  return s && s.coverage.scored < s.coverage.total ? s.coverage : undefined;
}

/** 4/6 项: how the wall writes a partial coverage beside its score. */
export function coverageText(c: IndexCoverage): string {
  return `${c.scored}/${c.total} 项`;
}

/** Why a partial score is listed where it is (a tooltip beside the 4/6 项). */
export function coverageNote(c: IndexCoverage): string {
  return `${c.total}项指标中${c.scored}项已评分，排在全部评分的地区之后`;
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
      return scores?.get(child.code)?.score ?? null;
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
): RankedChild[] {
  const sign = lowIsWorse(measure) ? -1 : 1;
  return children
    .flatMap((c, i) => {
      const value = measureOf(c, measure, scores);
      const cov = measure === 'index' ? scores?.get(c.code)?.coverage : undefined;
      // Like with like: a total over fewer indicators ranks after every total over more.
      const scored = cov?.scored ?? 0;
      return value === null ? [] : [{ c, i, value, scored }];
    })
    .sort((a, b) => b.scored - a.scored || sign * (b.value - a.value) || a.i - b.i)
    .map(({ c, value }) => {
      const partial = measure === 'index' ? partialCoverage(scores?.get(c.code)) : undefined;
      return { code: c.code, name: c.name, value, level: topLevel(c.alerts), ...(partial ? { partial } : {}) };
    });
}
