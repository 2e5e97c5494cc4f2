/**
 * Reads a peer group's counters, one pipeline per month: one HMGET per member for provinces,
 * cities and counties; one HGETALL per township below the county, since a township hash holds all
 * its villages (layouts in server/aggregate/contribution.ts).
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.ts';
import type { PeerGroup } from './groups.ts';

type Mutable = Record<string, number>;

/** code → field → count (a region without data may have no row). */
export type GroupRows = Map<string, Mutable>;

const bump = (into: Mutable, field: string, n: number) => {
  into[field] = (into[field] ?? 0) + n;
};

/**
 * Marginals of a township and each of its villages from its combination hash, in one pass over
 * the fields. Month fields are `code|k|category|channel|status|outcome`, open fields
 * `code|k|status|category|overdue`.
 */
export function splitLowHash(h: Record<string, string>, layout: 'month' | 'open'): GroupRows {
  const out: GroupRows = new Map();
  const target = (code: string) => {
    let m = out.get(code);
    if (!m) out.set(code, (m = {}));
    return m;
  };
  for (const [field, raw] of Object.entries(h)) {
    const n = Number(raw);
    if (!n) continue;
    const parts = field.split('|');
    const code = parts[0]!;
    const fields: string[] = [parts[1]!];
    if (layout === 'month') {
      const [, , cat, chan, status, outcome] = parts;
      fields.push(`c:${cat}`, `ch:${chan}`, `s:${status}`);
      if (outcome) fields.push(`o:${outcome}`);
    } else {
      const [, , status, cat, od] = parts;
      fields.push(`s:${status}`, `c:${cat}`);
      if (od) fields.push('od');
      if (od?.includes('d')) fields.push('odd');
      if (od?.includes('r')) fields.push('odr');
    }
    // Every field counts for the township; a village's also for that village.
    const targets = code.length > 9 ? [target(code.slice(0, 9)), target(code)] : [target(code)];
    for (const t of targets) for (const f of fields) bump(t, f, n);
  }
  return out;
}

export interface ReadDeps {
  redis: Redis;
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
  layout: 'month' | 'open',
  key: (code: string, low: boolean) => string,
  fields: readonly string[],
): Promise<GroupRows> {
  const low = group.level === 'township' || group.level === 'village';
  const sources = low ? deps.townships(group.scope) : group.members;
  const p = deps.redis.pipeline();
  for (const code of sources) {
    if (low) p.hgetall(key(code, true));
    else p.hmget(key(code, false), ...fields);
  }
  const replies = (await p.exec()) ?? [];
  const rows: GroupRows = new Map();
  replies.forEach(([err, v], i) => {
    if (err) throw err;
    if (low) {
      for (const [c, counts] of splitLowHash(v as Record<string, string>, layout)) rows.set(c, counts);
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
  const { keys } = deps;
  return readRows(deps, group, 'month', (c, low) => (low ? keys.lowMonth(c, month) : keys.month(c, month)), fields);
}

/** A group's open backlog now. */
export function readGroupOpen(deps: ReadDeps, group: PeerGroup, fields: readonly string[]) {
  const { keys } = deps;
  return readRows(deps, group, 'open', (c, low) => (low ? keys.lowOpen(c) : keys.open(c)), fields);
}

/** Which of these days (Beijing day numbers) have any case at the root: the system was feeding then. */
export async function readCoveredDays(
  redis: Redis,
  keys: Keys,
  root: string,
  days: readonly number[],
): Promise<Set<number>> {
  if (days.length === 0) return new Set();
  const p = redis.pipeline();
  for (const d of days) p.hmget(keys.day(root, d), 'i', 'd');
  const replies = (await p.exec()) ?? [];
  const covered = new Set<number>();
  replies.forEach(([err, v], i) => {
    if (err) throw err;
    const [inc, dis] = v as Array<string | null>;
    if (Number(inc ?? 0) + Number(dis ?? 0) > 0) covered.add(days[i]!);
  });
  return covered;
}
