/**
 * Reads a peer group's counters, one pipeline per month: one HMGET per member for provinces,
 * cities and counties; one HGETALL per township below the county, since a township hash holds all
 * its villages (layouts in server/counters/).
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import { counterKey, type Bucket } from '../counters/read.ts';
import { DISPUTES, INCIDENTS } from '../counters/fields.ts';
import { lowMarginalsByRegion } from '../counters/low-level.ts';
import type { PeerGroup } from './groups.ts';

type Mutable = Record<string, number>;

/** code → field → count (a region without data may have no row). */
export type GroupRows = Map<string, Mutable>;

export interface ReadDeps {
  redis: RedisClient;
  keys: Keys;
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
  const low = group.level === 'township' || group.level === 'village';
  const sources = low ? deps.townships(group.scope) : group.members;
  const p = deps.redis.pipeline();
  for (const code of sources) {
    if (low) p.hgetall(counterKey(deps.keys, code, bucket));
    else p.hmget(counterKey(deps.keys, code, bucket), ...fields);
  }
  const replies = (await p.exec()) ?? [];
  const rows: GroupRows = new Map();
  replies.forEach(([err, v], i) => {
    if (err) throw err;
    if (low) {
      const layout = bucket === 'open' ? 'open' : 'month';
      for (const [c, counts] of lowMarginalsByRegion(v as Record<string, string>, layout)) rows.set(c, counts);
    } else {
      const row: Mutable = {};
      (v as Array<string | null>).forEach((x, j) => (row[fields[j]!] = Number(x ?? 0)));
      rows.set(sources[i]!, row);
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

/** Which of these days (Beijing day numbers) have any case at the root: the system was feeding then. */
export async function readCoveredDays(
  redis: RedisClient,
  keys: Keys,
  root: string,
  days: readonly number[],
): Promise<Set<number>> {
  if (days.length === 0) return new Set();
  const p = redis.pipeline();
  for (const d of days) p.hmget(counterKey(keys, root, { day: d }), INCIDENTS, DISPUTES);
  const replies = (await p.exec()) ?? [];
  const covered = new Set<number>();
  replies.forEach(([err, v], i) => {
    if (err) throw err;
    const [inc, dis] = v as Array<string | null>;
    if (Number(inc ?? 0) + Number(dis ?? 0) > 0) covered.add(days[i]!);
  });
  return covered;
}
