/** What the silence checks (regions and source systems) share: gaps, hours, the system's own outages. */
import type { ChainableCommander } from 'ioredis';
import { buckets } from '../../time/beijing.ts';
import type { RuleEnv } from '../types.ts';

export const HOUR = 3600_000;

/** The hours a gap covers, each with the share of it inside the gap. */
export function hoursOf(from: number, to: number): { start: number; share: number }[] {
  const out = [];
  for (let h = Math.floor(from / HOUR) * HOUR; h < to; h += HOUR) {
    out.push({ start: h, share: (Math.min(h + HOUR, to) - Math.max(h, from)) / HOUR });
  }
  return out;
}

/**
 * When gaps may start being counted: after the system (or its whole feed) was last down, since a
 * province-wide quiet is no region's and no source's silence. Undefined while the province itself
 * has been quiet for `systemGapMs`: /readyz and the wall's freshness banner say so, no 失联 does.
 */
export async function countingSince(env: RuleEnv, now: number, systemGapMs: number): Promise<number | undefined> {
  const [resumed, newest] = await Promise.all([
    env.redis.get(env.wkeys.resumedAt),
    env.redis.zrevrange(env.wkeys.lastSeen, 0, 0, 'WITHSCORES'),
  ]);
  if (!newest.length || now - Number(newest[1]) > systemGapMs) return undefined;
  return Number(resumed ?? 0);
}

/** Mean of the baseline days that have data; how many had. */
function meanOfDays(perDay: Map<number, { sum: number; hasData: boolean }>): { expected: number; days: number } {
  const withData = [...perDay.values()].filter((x) => x.hasData);
  return {
    expected: withData.length ? withData.reduce((s, x) => s + x.sum, 0) / withData.length : 0,
    days: withData.length,
  };
}

export interface Gap {
  /** The zset member: a region code or a source name. */
  member: string;
  /** Its last report, and the part of the quiet examined (capped by the lookback and `since`). */
  last: number;
  from: number;
  to: number;
}

/** Members of a last-seen zset quiet for at least `minGapMs` before `now`, with the gap examined. */
export async function quietMembers(
  env: RuleEnv,
  key: string,
  o: { now: number; minGapMs: number; lookbackMs: number; since: number; limit: number },
): Promise<Gap[]> {
  const raw = await env.redis.zrangebyscore(key, '-inf', o.now - o.minGapMs, 'WITHSCORES', 'LIMIT', 0, o.limit);
  const gaps: Gap[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const last = Number(raw[i + 1]);
    const from = Math.max(last, o.since, o.now - o.lookbackMs);
    if (o.now - from >= o.minGapMs) gaps.push({ member: raw[i]!, last, from, to: o.now });
  }
  return gaps;
}

/**
 * Queues the read of one baseline day for a gap: the counts of `hours` (Beijing hours of `day`);
 * its decoder says whether the day had data at all and the count of each hour, in order.
 */
export type BaselineRead<G> = (
  tx: ChainableCommander,
  gap: G,
  day: number,
  hours: number[],
) => (reply: unknown) => { hasData: boolean; counts: number[] };

/**
 * How many reports each gap's same hours brought on average over the last `baselineDays` days that
 * had data (each hour weighted by its share of the gap), in one round trip.
 */
export async function expectedInGaps<G extends { from: number; to: number }>(
  env: RuleEnv,
  gaps: G[],
  baselineDays: number,
  read: BaselineRead<G>,
): Promise<{ expected: number; days: number }[]> {
  const tx = env.redis.multi();
  const decoders: ((reply: unknown) => { hasData: boolean; counts: number[] })[] = [];
  const plans = gaps.map((g) => {
    // Per baseline day k: the gap's hours shifted k days back, grouped by day.
    const hours = hoursOf(g.from, g.to).map((h) => ({ ...h, b: buckets(h.start) }));
    const days = [...new Set(hours.map((h) => h.b.day))];
    const reads: { k: number; shares: number[] }[] = [];
    for (let k = 1; k <= baselineDays; k++) {
      for (const day of days) {
        const hs = hours.filter((h) => h.b.day === day);
        reads.push({ k, shares: hs.map((h) => h.share) });
        decoders.push(
          read(
            tx,
            g,
            day - k,
            hs.map((h) => h.b.hour),
          ),
        );
      }
    }
    return reads;
  });
  const replies = ((await tx.exec()) ?? []).map(([, v], i) => decoders[i]!(v));
  let at = 0;
  return plans.map((reads) => {
    const perK = new Map<number, { sum: number; hasData: boolean }>();
    for (const r of reads) {
      const v = replies[at++]!;
      const cur = perK.get(r.k) ?? { sum: 0, hasData: false };
      cur.hasData ||= v.hasData;
      r.shares.forEach((share, j) => (cur.sum += (v.counts[j] ?? 0) * share));
      perK.set(r.k, cur);
    }
    return meanOfDays(perK);
  });
}
