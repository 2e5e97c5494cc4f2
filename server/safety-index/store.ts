/**
 * Published (frozen) months in Redis: one value per parent region and month
 * (`idxz:<parent>:<YYYYMM>`), its children's records deflated together against a dictionary of
 * their shape, written once with SET NX so a late event can never rewrite a month that has been
 * published. A whole peer group is written at once (one script), so the ranks inside a group always
 * come from the same computation, and a parent's children are always in one group (a township's
 * villages are among its county's villages).
 *
 * Earlier forms are still read, and win over a later one since they were published first: a
 * record as a field of `idxp:<parent>:<YYYYMM>` (2026-12-06, deflated alone: 27 B, but ≈ 70 B with
 * its field in the hash, where a parent's records deflated together take ≈ 25 B), and before that a
 * key of its own (`idx:<region>:<YYYYMM>`). A year is 13 months of every region, villages included
 * (docs/capacity.md).
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Level } from '../../shared/regions.ts';
import type { IndexIndicator } from '../../shared/schemas/safety-index.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Keys } from '../redis/keys.ts';
import type { IndexConfig } from './config.ts';
import { coverageOf, type MemberScore } from './score.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import { deflated, inflated } from '../redis/deflated.ts';
import { parentOf } from '../../shared/regions.ts';

/**
 * What a record is deflated against (server/redis/deflated.ts): one record of each level in the
 * stored shape, indicators and weights as configured on 2026-12-06. Stored data: never change it
 * (records written with it could not be read); a new shape deflates less against it, nothing worse.
 */
export const RECORD_DICTIONARY = Buffer.from(
  (['province', 'city', 'county', 'township', 'village'] as const)
    .map(
      (l) =>
        `{"v":1,"s":87.5,"p":1,"n":14,"l":"${l}","t":1796514994546,"i":[["crime",0,null,0,85,0.25],` +
        `["homicide",0,null,0,90,0.25],["petition",0,null,0,85,0.1],["resolution",null,null,0,85,0.15],` +
        `["mediation",null,null,1,92.5,0.1],["overdue",null,null,null,null,0.15]]}`,
    )
    .join(''),
);

/** The value holding `region`'s published record of `month`, with its siblings'. */
export const publishedKey = (keys: Keys, region: string, month: string) =>
  `${keys.prefix}idxz:${parentOf(region) ?? ''}:${month}`;
/** The hash that held a record as a field of its own on 2026-12-06. */
export const fieldKey = (keys: Keys, region: string, month: string) =>
  `${keys.prefix}idxp:${parentOf(region) ?? ''}:${month}`;
/** Where a record was published before 2026-12-06. */
const legacyKey = (keys: Keys, region: string, month: string) => `${keys.prefix}idx:${region}:${month}`;
export const coverageKey = (keys: Keys, month: string) => `${keys.prefix}idx:cov:${month}`;

/** A member's scores as computed (live) or as published (frozen), with when. */
export interface ScoredRegion extends MemberScore {
  /** Epoch ms the numbers were computed or frozen. */
  at: number;
}

/**
 * Compact on purpose: a county's villages are frozen together, and a country has 700,000 of them.
 * Indicator names are not stored (they come from the config by id); weights are, since a published
 * month keeps the weights it was computed with.
 */
interface Stored {
  v: 1;
  s: number | null;
  p: number;
  n: number;
  l: Level;
  t: number;
  /** [id, value, baseline, peerMedian, score, weight] */
  i: Array<[string, number | null, number | null, number | null, number | null, number]>;
}

export function encode(r: ScoredRegion): string {
  const stored: Stored = {
    v: 1,
    s: r.score,
    p: r.rank.position,
    n: r.rank.of,
    l: r.rank.level,
    t: r.at,
    i: r.indicators.map((x) => [x.id, x.value, x.baseline, x.peerMedian, x.score, x.weight]),
  };
  return JSON.stringify(stored);
}

export function decode(code: string, raw: string, config: IndexConfig): ScoredRegion {
  const s = JSON.parse(raw) as Stored;
  const names = new Map(config.indicators.map((i) => [i.id, i.name]));
  const indicators: IndexIndicator[] = s.i.map(([id, value, baseline, peerMedian, score, weight]) => ({
    id,
    name: names.get(id) ?? id,
    value,
    baseline,
    peerMedian,
    score,
    weight,
  }));
  return {
    code,
    score: s.s,
    rank: { position: s.p, of: s.n, level: s.l },
    indicators,
    coverage: coverageOf(indicators),
    at: s.t,
  };
}

// KEYS the parents' values; ARGV[1] their TTL (s), then per key its value and how many records
// it holds. Returns how many records were written.
const FREEZE_SCRIPT = defineLua(
  'safetyIndexFreeze',
  `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('SET', k, ARGV[2 * i], 'NX', 'EX', ARGV[1]) then n = n + tonumber(ARGV[2 * i + 1]) end
end
return n`,
);

/** A parent's records as stored together: a line each, the region's code, a tab, its record. */
function packRecords(records: readonly ScoredRegion[]): Buffer {
  return deflated(records.map((r) => `${r.code}\t${encode(r)}`).join('\n'), RECORD_DICTIONARY);
}

function unpackRecords(stored: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of inflated(stored, RECORD_DICTIONARY).split('\n')) {
    const tab = line.indexOf('\t');
    out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

/** Publishes a group's month; parents already published keep their records. Returns how many were written. */
export async function freeze(
  redis: RedisClient,
  keys: Keys,
  month: string,
  scored: readonly ScoredRegion[],
): Promise<number> {
  if (scored.length === 0) return 0;
  const byParent = new Map<string, ScoredRegion[]>();
  for (const r of scored) {
    const k = publishedKey(keys, r.code, month);
    const list = byParent.get(k);
    if (list) list.push(r);
    else byParent.set(k, [r]);
  }
  // Kept as long as the counters they were computed from.
  return runLua<number>(
    redis,
    FREEZE_SCRIPT,
    [...byParent.keys()],
    [RETENTION.monthTtlS, ...[...byParent.values()].flatMap((rs) => [packRecords(rs), rs.length])],
  );
}

/**
 * The published records of (region, month) pairs, keyed by `keyOf` of each pair: the oldest form
 * there is of each (a key, a field, its parent's value); pairs without a record are left out.
 */
async function readRecords(
  redis: RedisClient,
  keys: Keys,
  wanted: readonly (readonly [string, string])[],
  config: IndexConfig,
  keyOf: (code: string, month: string) => string,
): Promise<Map<string, ScoredRegion>> {
  const out = new Map<string, ScoredRegion>();
  if (wanted.length === 0) return out;
  const parents = [...new Set(wanted.map(([code, month]) => publishedKey(keys, code, month)))];
  const p = redis.pipeline();
  for (const [code, month] of wanted) p.hgetBuffer(fieldKey(keys, code, month), code);
  p.mgetBuffer(...wanted.map(([code, month]) => legacyKey(keys, code, month)));
  p.mgetBuffer(...parents);
  const replies = (await p.exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const legacy = replies[wanted.length]![1] as (Buffer | null)[];
  const together = new Map(
    (replies[wanted.length + 1]![1] as (Buffer | null)[]).map((v, i) => [parents[i]!, v && unpackRecords(v)]),
  );
  wanted.forEach(([code, month], i) => {
    const raw = legacy[i] ?? (replies[i]![1] as Buffer | null);
    const text = raw ? inflated(raw, RECORD_DICTIONARY) : together.get(publishedKey(keys, code, month))?.get(code);
    if (text) out.set(keyOf(code, month), decode(code, text, config));
  });
  return out;
}

/** Published records of these regions for one month (absent ones left out). */
export function readFrozen(
  redis: RedisClient,
  keys: Keys,
  month: string,
  codes: readonly string[],
  config: IndexConfig,
): Promise<Map<string, ScoredRegion>> {
  return readRecords(
    redis,
    keys,
    codes.map((c) => [c, month] as const),
    config,
    (c) => c,
  );
}

/** One region's published records for several months (absent ones left out). */
export function readFrozenMonths(
  redis: RedisClient,
  keys: Keys,
  code: string,
  months: readonly string[],
  config: IndexConfig,
): Promise<Map<string, ScoredRegion>> {
  return readRecords(
    redis,
    keys,
    months.map((m) => [code, m] as const),
    config,
    (_, m) => m,
  );
}
