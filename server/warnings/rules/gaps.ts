/** What the silence checks (regions and source systems) share: gaps, hours, the system's own outages. */
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
export function meanOfDays(perDay: Map<number, { sum: number; hasData: boolean }>): { expected: number; days: number } {
  const withData = [...perDay.values()].filter((x) => x.hasData);
  return {
    expected: withData.length ? withData.reduce((s, x) => s + x.sum, 0) / withData.length : 0,
    days: withData.length,
  };
}
