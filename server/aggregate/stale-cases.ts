import type { RedisClient } from '../redis/connection.ts';
import type { KeyRing } from '../redis/keys.ts';
import { NATION } from '../../shared/regions.ts';
import { indexSetOf } from './case-index.ts';
import { countInPlace } from './case-list.ts';

/**
 * 久拖 (stale) open cases: open longer than a bound counted from their earliest event. The policy
 * (docs/capacity.md): an open case is never expired or dropped, whatever its age: it stays in the
 * open counters and the case index, and once past the bound it is counted here and flagged in the
 * case list, so a wall shows how much of its backlog is old instead of that backlog being
 * forgotten. Read from the case index's open sets (scored by the earliest event's time), so the
 * count costs one ZCOUNT per kind (a township or village: its county's set filtered by place) and
 * nothing is stored for it.
 */
export async function countStale(
  redis: RedisClient,
  ring: KeyRing,
  code: string,
  now: number,
  staleMs: number,
): Promise<{ incident: number; dispute: number; days: number }> {
  const before = now - staleMs;
  // The nation is never indexed (it is every code's ancestor): its count is its provinces'.
  const codes = code === NATION ? ring.provinces : [code];
  const counts = await Promise.all(
    codes.flatMap((c) =>
      (['i', 'd'] as const).map((k) => {
        const { set, place } = indexSetOf(c);
        const key = ring.of(c).caseIndex(set, k, 'o');
        return place ? countInPlace(redis, key, place, '-inf', `(${before}`) : redis.zcount(key, '-inf', `(${before}`);
      }),
    ),
  );
  let incident = 0;
  let dispute = 0;
  counts.forEach((n, i) => (i % 2 ? (dispute += n) : (incident += n)));
  return { incident, dispute, days: Math.round(staleMs / 86_400_000) };
}
