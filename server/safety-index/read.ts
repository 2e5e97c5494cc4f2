/**
 * Reads a peer group's counters for a few months in one pipeline: one HMGET per member and month
 * for provinces, cities and counties; one HGETALL per township and month below the county, since a
 * township hash holds all its villages (layouts in server/redis/scripts/common.lua).
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.ts';
import type { PeerGroup } from './groups.ts';

type Mutable = Record<string, number>;

export interface GroupCounters {
  /** code → month (`YYYYMM`) → field → count */
  months: Map<string, Map<string, Mutable>>;
  /** code → open-hash field → count; null when not read. */
  open: Map<string, Mutable> | null;
}

const bump = (into: Mutable, field: string, n: number) => {
  into[field] = (into[field] ?? 0) + n;
};

/**
 * Marginals of every township and village in one township's combination hash, in one pass over
 * its fields (a village group reads the same hash for each of its villages otherwise).
 * Month fields are `code|k|category|channel|status|outcome`, open fields `code|k|status|category|overdue`.
 */
export function splitLowHash(h: Record<string, string>, layout: 'month' | 'open'): Map<string, Mutable> {
  const out = new Map<string, Mutable>();
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
    // Every field counts for the township; a village's only for that village.
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

export async function readGroupCounters(
  deps: ReadDeps,
  group: PeerGroup,
  months: readonly string[],
  withOpen: boolean,
  fields: { month: readonly string[]; open: readonly string[] },
): Promise<GroupCounters> {
  const { redis, keys } = deps;
  const p = redis.pipeline();
  const low = group.level === 'township' || group.level === 'village';
  const sources = low ? deps.townships(group.scope) : group.members;
  for (const code of sources) {
    for (const m of months) {
      if (low) p.hgetall(keys.lowMonth(code, m));
      else p.hmget(keys.month(code, m), ...fields.month);
    }
    if (withOpen) {
      if (low) p.hgetall(keys.lowOpen(code));
      else p.hmget(keys.open(code), ...fields.open);
    }
  }
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const values = replies.map(([, v]) => v);

  const result: GroupCounters = { months: new Map(), open: withOpen ? new Map() : null };
  const monthOf = (code: string, m: string): Mutable => {
    let byMonth = result.months.get(code);
    if (!byMonth) result.months.set(code, (byMonth = new Map()));
    let c = byMonth.get(m);
    if (!c) byMonth.set(m, (c = {}));
    return c;
  };
  for (const code of group.members) for (const m of months) monthOf(code, m);
  for (const code of group.members) result.open?.set(code, {});

  const members = new Set(group.members);
  let at = 0;
  for (const code of sources) {
    for (const m of months) {
      const v = values[at++];
      if (low) {
        for (const [c, counts] of splitLowHash(v as Record<string, string>, 'month'))
          if (members.has(c)) Object.assign(monthOf(c, m), counts);
      } else {
        const row = monthOf(code, m);
        (v as Array<string | null>).forEach((x, i) => (row[fields.month[i]!] = Number(x ?? 0)));
      }
    }
    if (withOpen) {
      const v = values[at++];
      if (low) {
        for (const [c, counts] of splitLowHash(v as Record<string, string>, 'open'))
          if (members.has(c)) result.open!.set(c, counts);
      } else {
        const row: Mutable = {};
        (v as Array<string | null>).forEach((x, i) => (row[fields.open[i]!] = Number(x ?? 0)));
        result.open!.set(code, row);
      }
    }
  }
  return result;
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
