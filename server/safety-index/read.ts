/**
 * Reads a peer group's counters, one pipeline per month: one HMGET per member for provinces,
 * cities and counties; one HGETALL per township below the county, since a township hash holds all
 * its villages (layouts in server/counters/).
 */
import type { RedisClient } from '../redis/connection.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { counterKey, type Bucket } from '../counters/read.ts';
import { execBySlot } from '../redis/by-slot.ts';
import { DISPUTES, INCIDENTS } from '../counters/fields.ts';
import { lowMarginalsByRegion } from '../counters/low-level.ts';
import type { PeerGroup } from './groups.ts';

type Mutable = Record<string, number>;

/** code → field → count (a region without data may have no row). */
export type GroupRows = Map<string, Mutable>;

export interface ReadDeps {
  redis: RedisClient;
  keys: Keys | KeyRing;
  /**
   * The regions whose counters add up to a member's: itself, or for the nation (which has no
   * counters of its own) its provinces, each under its own keys.
   */
  parts(code: string): readonly string[];
  /** Townships of a county, for the groups below the county. */
  townships(county: string): string[];
}

/**
 * One hash per member (HMGET of the fields read) or, below the county, one per township of the
 * group's county (HGETALL, split into its township and villages), in one pipeline. Below the
 * county the rows cover every township and village of the county, so the township group and the
 * village group of one county share one read.
 */
async function readRows(
  deps: ReadDeps,
  group: PeerGroup,
  bucket: Bucket,
  fields: readonly string[],
): Promise<GroupRows> {
  const ring = asKeyRing(deps.keys);
  const low = group.level === 'township' || group.level === 'village';
  // [member, region read] pairs: below the county a township stands for its villages too.
  const sources: Array<[string, string]> = low
    ? deps.townships(group.scope).map((t) => [t, t])
    : group.members.flatMap((m) => deps.parts(m).map((c): [string, string] => [m, c]));
  const replies = await execBySlot(
    deps.redis,
    sources.map(([, code]) => counterKey(ring.of(code), code, bucket)),
    (p, key) => (low ? p.hgetall(key) : p.hmget(key, ...fields)),
  );
  const rows: GroupRows = new Map();
  replies.forEach((v, i) => {
    if (low) {
      const layout = bucket === 'open' ? 'open' : 'month';
      for (const [c, counts] of lowMarginalsByRegion(v as Record<string, string>, layout, sources[i]![1]))
        rows.set(c, counts);
    } else {
      const member = sources[i]![0];
      let row = rows.get(member);
      if (!row) rows.set(member, (row = {}));
      (v as Array<string | null>).forEach((x, j) => (row[fields[j]!] = (row[fields[j]!] ?? 0) + Number(x ?? 0)));
    }
  });
  return rows;
}

/** A group's counters of one month (`YYYYMM`). */
export function readGroupMonth(deps: ReadDeps, group: PeerGroup, month: string, fields: readonly string[]) {
  return readRows(deps, group, { month }, fields);
}

/** A group's open backlog now. */
export function readGroupOpen(deps: ReadDeps, group: PeerGroup, fields: readonly string[]) {
  return readRows(deps, group, 'open', fields);
}

/**
 * Which of these days (Beijing day numbers) have any case in any of `roots` (the province, or
 * every province of a national deployment): the system was feeding then.
 */
export async function readCoveredDays(
  redis: RedisClient,
  keys: Keys | KeyRing,
  roots: readonly string[],
  days: readonly number[],
): Promise<Set<number>> {
  if (days.length === 0) return new Set();
  const ring = asKeyRing(keys);
  const replies = await execBySlot(
    redis,
    days.flatMap((d) => roots.map((r) => counterKey(ring.of(r), r, { day: d }))),
    (p, key) => p.hmget(key, INCIDENTS, DISPUTES),
  );
  const covered = new Set<number>();
  replies.forEach((v, i) => {
    const [inc, dis] = v as Array<string | null>;
    if (Number(inc ?? 0) + Number(dis ?? 0) > 0) covered.add(days[Math.floor(i / roots.length)]!);
  });
  return covered;
}
