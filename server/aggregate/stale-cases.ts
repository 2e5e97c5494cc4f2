import type { RedisClient } from '../redis/connection.ts';
import type { KeyRing } from '../redis/keys.ts';
import { NATION } from '../../shared/regions.ts';
import { indexSetsOf } from './case-index.ts';
import { countInSets } from './case-list.ts';

/**
 * 久拖 (stale) open cases: open longer than a bound counted from their earliest event. The policy
 * (docs/capacity.md): an open case is never expired or dropped, whatever its age: it stays in the
 * open counters and the case index, and once past the bound it is counted here and flagged in the
 * case list, so a wall shows how much of its backlog is old instead of that backlog being
 * forgotten. Read from the case index's open county sets (scored by the earliest event's time), so
 * the count costs one script call a province (a ZCOUNT a set; a township or village: its county's
 * sets filtered by place) and nothing is stored for it.
 */
export async function countStale(
  redis: RedisClient,
  ring: KeyRing,
  code: string,
  now: number,
  staleMs: number,
  counties: (code: string) => readonly string[],
): Promise<{ incident: number; dispute: number; days: number }> {
  const before = now - staleMs;
  // The nation is never indexed (it is every code's ancestor): its count is its provinces'.
  const codes = code === NATION ? ring.provinces : [code];
  let incident = 0;
  let dispute = 0;
  await Promise.all(
    codes.map(async (c) => {
      const { sets, place } = indexSetsOf(c, counties);
      const keys = ring.of(c);
      // Incident sets first, then dispute sets: one script call for the province's part.
      const names = [...sets.map((s) => keys.caseIndex(s, 'i', 'o')), ...sets.map((s) => keys.caseIndex(s, 'd', 'o'))];
      const counts = await countInSets(redis, names, place, '-inf', `(${before}`);
      counts.forEach((n, i) => (i < sets.length ? (incident += n) : (dispute += n)));
    }),
  );
  return { incident, dispute, days: Math.round(staleMs / 86_400_000) };
}
