/**
 * The 平安指数 maths as pure functions: a peer group's counters in, every member's score, indicator
 * scores and rank out. No Redis and no clock here, so tests can call it with numbers they choose
 * (README.md next to this file explains each indicator).
 */
import type { Level } from '../../shared/regions.ts';
import type { IndexCoverage, IndexIndicator, IndexRank } from '../../shared/schemas/safety-index.ts';
import type { CountIndicator, Curve, IndexConfig, RateIndicator } from './config.ts';

export type Counters = Readonly<Record<string, number>>;

export interface MemberInput {
  code: string;
  /** Size proxy for the peer comparison: villages and communities in the subtree (at least 1). */
  size: number;
  /** Counters of the month being scored. */
  month: Counters;
  /** Counters of the baseline months, summed. */
  baseline: Counters;
  /** The open backlog now, or null when it does not describe this month (a month long past). */
  open: Counters | null;
}

export interface GroupInput {
  level: Level;
  members: readonly MemberInput[];
  /** Days of data in the month being scored (elapsed so far for the live month). */
  spanDays: number;
  /** Days of data in the baseline months together; 0 when there is no baseline. */
  baselineDays: number;
}

export interface MemberScore {
  code: string;
  score: number | null;
  rank: IndexRank;
  indicators: IndexIndicator[];
  coverage: IndexCoverage;
}

/** Piecewise-linear interpolation, flat beyond the first and last points. */
export function curve(points: Curve, x: number): number {
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    if (x <= x1) {
      const [x0, y0] = points[i - 1]!;
      return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
    }
  }
  return last[1];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function sum(c: Counters, fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) n += c[f] ?? 0;
  return n;
}

/** Weighted mean of the parts that have a value; null when none has. */
export function blend(parts: ReadonlyArray<readonly [number | null, number]>): number | null {
  let total = 0;
  let weights = 0;
  for (const [v, w] of parts) {
    if (v === null || w <= 0) continue;
    total += v * w;
    weights += w;
  }
  return weights > 0 ? total / weights : null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

/**
 * Score of a count against an expectation: the ratio (v + a) / (e + a) on a curve. The pseudo-count
 * `a` keeps small numbers sane: one homicide where 0.2 were expected is bad, not infinitely bad.
 */
export function countRatioScore(
  value: number,
  expected: number | null,
  pseudoCount: number,
  points: Curve,
): number | null {
  if (expected === null) return null;
  return curve(points, (value + pseudoCount) / (expected + pseudoCount));
}

/** A count indicator for every member; the peer median density is computed once for the group. */
function scoreCount(ind: CountIndicator, g: GroupInput, minPeers: number): IndexIndicator[] {
  const values = g.members.map((m) => sum(m.month, ind.fields));
  const density = g.members.length >= minPeers ? median(values.map((v, i) => v / g.members[i]!.size)) : null;
  return g.members.map((m, i) => {
    const v = values[i]!;
    const expectedSelf = g.baselineDays > 0 ? (sum(m.baseline, ind.fields) / g.baselineDays) * g.spanDays : null;
    const expectedPeer = density === null ? null : density * m.size;
    const score = blend([
      [countRatioScore(v, expectedSelf, ind.pseudoCount, ind.curves.self), ind.components.self],
      [countRatioScore(v, expectedPeer, ind.pseudoCount, ind.curves.peer), ind.components.peer],
    ]);
    return {
      id: ind.id,
      name: ind.name,
      value: v,
      baseline: roundOrNull(expectedSelf, 1),
      peerMedian: roundOrNull(expectedPeer, 1),
      score: roundOrNull(score, 1),
      weight: ind.weight,
    };
  });
}

/**
 * A rate indicator for every member. Rates are scored against the peers' median and on an absolute
 * scale, not against the region's own past: this month's disputes have had less time to be
 * resolved than last month's, so a comparison with its own history would always look worse.
 */
function scoreRate(ind: RateIndicator, g: GroupInput, minPeers: number): IndexIndicator[] {
  const parts = g.members.map((m) => {
    const src = ind.source === 'open' ? m.open : m.month;
    return src ? { num: sum(src, ind.numerator), den: sum(src, ind.denominator) } : null;
  });
  const rates = parts.flatMap((p) => (p && p.den > 0 ? [p.num / p.den] : []));
  const peerMedian = rates.length >= minPeers ? median(rates) : null;
  const prior = peerMedian ?? ind.prior;
  return g.members.map((m, i) => {
    const p = parts[i]!;
    const baseNum = sum(m.baseline, ind.numerator);
    const baseDen = sum(m.baseline, ind.denominator);
    const baseline = ind.source === 'month' && g.baselineDays > 0 && baseDen > 0 ? baseNum / baseDen : null;
    let score: number | null = null;
    if (p) {
      // Few cases are pulled towards the prior, so one failed mediation in a village is not 0 %.
      const smoothed = (p.num + ind.priorWeight * prior) / (p.den + ind.priorWeight);
      score = blend([
        [curve(ind.curves.absolute, smoothed), ind.components.absolute],
        [peerMedian === null ? null : curve(ind.curves.peer, smoothed - peerMedian), ind.components.peer],
      ]);
    }
    return {
      id: ind.id,
      name: ind.name,
      value: p && p.den > 0 ? round(p.num / p.den, 4) : null,
      baseline: roundOrNull(baseline, 4),
      peerMedian: roundOrNull(peerMedian, 4),
      score: roundOrNull(score, 1),
      weight: ind.weight,
    };
  });
}

/** Competition ranking by score, highest (safest) first; members without a score come last. */
export function rankScores(scores: ReadonlyArray<number | null>): number[] {
  const known = scores.filter((s): s is number => s !== null);
  return scores.map((s) => (s === null ? known.length + 1 : 1 + known.filter((k) => k > s).length));
}

/** How many of a region's indicators have a score (the rest are left out of its total). */
export function coverageOf(indicators: readonly IndexIndicator[]): IndexCoverage {
  return { scored: indicators.filter((i) => i.score !== null).length, total: indicators.length };
}

/**
 * Ranks like with like: a total over five indicators is not comparable with one over six (the
 * missing one is often the region's weakest), so members are ranked within tiers of how many
 * indicators were scored, the most complete tier first, each tier after all of the one before.
 */
export function rankByCoverage(scores: ReadonlyArray<number | null>, scored: readonly number[]): number[] {
  const tiers = [...new Set(scored)].sort((a, b) => b - a);
  const positions: number[] = new Array<number>(scores.length);
  let before = 0;
  for (const tier of tiers) {
    const idx = scores.flatMap((_, i) => (scored[i] === tier ? [i] : []));
    const ranks = rankScores(idx.map((i) => scores[i]!));
    idx.forEach((i, k) => (positions[i] = before + ranks[k]!));
    before += idx.length;
  }
  return positions;
}

/** Scores every member of one peer group for one month. */
export function scoreGroup(config: IndexConfig, g: GroupInput): MemberScore[] {
  const perIndicator = config.indicators.map((ind) =>
    ind.kind === 'count' ? scoreCount(ind, g, config.minPeers) : scoreRate(ind, g, config.minPeers),
  );
  const scores = g.members.map((_, i) => {
    const total = blend(perIndicator.map((list) => [list[i]!.score, list[i]!.weight] as const));
    return roundOrNull(total, 1);
  });
  const indicators = g.members.map((_, i) => perIndicator.map((list) => list[i]!));
  const coverage = indicators.map(coverageOf);
  const positions = rankByCoverage(
    scores,
    coverage.map((c, i) => (scores[i] === null ? -1 : c.scored)),
  );
  return g.members.map((m, i) => ({
    code: m.code,
    score: scores[i]!,
    rank: { position: positions[i]!, of: g.members.length, level: g.level },
    indicators: indicators[i]!,
    coverage: coverage[i]!,
  }));
}
