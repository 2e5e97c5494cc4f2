/**
 * Published (frozen) months in Redis: one hash per parent region and month
 * (`idxp:<parent>:<YYYYMM>`, a field per child region, its record deflated against a dictionary
 * of its shape), each record written once with HSETNX so a late event can never rewrite a month
 * that has been published, and a whole peer group at once (one script) so the ranks inside a
 * group always come from the same computation. A record was a key of its own before 2026-12-06
 * (`idx:<region>:<YYYYMM>`, 407 B with the key's own cost against ≈ 56 B as a field; a year is 13
 * months of every region, villages included: docs/capacity.md); those are still read, and win
 * over a field written after them, until they expire.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Level } from '../../shared/regions.ts';
import type { IndexIndicator } from '../../shared/schemas/safety-index.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Keys } from '../redis/keys.ts';
import type { IndexConfig } from './config.ts';
import { coverageOf, type MemberScore } from './score.ts';
import { defineLua, luaKeys, runLua } from '../redis/lua.ts';
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

/** The hash holding `region`'s published record of `month`, with its siblings'. */
export const publishedKey = (keys: Keys, region: string, month: string) =>
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

// KEYS the hashes; ARGV[1] their TTL (s, set when they have none), then per record: the index of
// its hash in KEYS, its region, its record. Returns how many records were written.
const FREEZE_SCRIPT = defineLua(
  'safetyIndexFreeze',
  `
local n = 0
for a = 2, #ARGV, 3 do
  n = n + redis.call('HSETNX', KEYS[tonumber(ARGV[a])], ARGV[a + 1], ARGV[a + 2])
end
for _, k in ipairs(KEYS) do redis.call('EXPIRE', k, ARGV[1], 'NX') end
return n`,
);

/** Publishes a group's month; members already published keep their value. Returns how many were written. */
export async function freeze(
  redis: RedisClient,
  keys: Keys,
  month: string,
  scored: readonly ScoredRegion[],
): Promise<number> {
  if (scored.length === 0) return 0;
  const { keys: hashes, index } = luaKeys();
  const records = scored.flatMap((r) => [
    index(publishedKey(keys, r.code, month)),
    r.code,
    deflated(encode(r), RECORD_DICTIONARY),
  ]);
  // Kept as long as the counters they were computed from.
  return runLua<number>(redis, FREEZE_SCRIPT, hashes, [RETENTION.monthTtlS, ...records]);
}

/**
 * The published records of (region, month) pairs, keyed by `keyOf` of each pair: the old key
 * where there is one, else the field; pairs without a record are left out.
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
  const p = redis.pipeline();
  for (const [code, month] of wanted) p.hgetBuffer(publishedKey(keys, code, month), code);
  p.mgetBuffer(...wanted.map(([code, month]) => legacyKey(keys, code, month)));
  const replies = (await p.exec()) ?? [];
  const legacy = (replies[wanted.length]?.[1] ?? []) as (Buffer | null)[];
  wanted.forEach(([code, month], i) => {
    const [err, field] = replies[i] ?? [];
    if (err) throw err;
    const raw = legacy[i] ?? (field as Buffer | null);
    if (raw) out.set(keyOf(code, month), decode(code, inflated(raw, RECORD_DICTIONARY), config));
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
