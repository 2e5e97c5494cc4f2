/**
 * Published (frozen) months in Redis: `idx:<region>:<YYYYMM>`, written once with SET NX so a late
 * event can never rewrite a month that has been published, and a whole peer group at once (one
 * script) so the ranks inside a group always come from the same computation.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Level } from '../../shared/regions.ts';
import type { IndexIndicator } from '../../shared/schemas/safety-index.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Keys } from '../redis/keys.ts';
import type { IndexConfig } from './config.ts';
import { coverageOf, type MemberScore } from './score.ts';
import { defineLua, runLua } from '../redis/lua.ts';

export const indexKey = (keys: Keys, region: string, month: string) => `${keys.prefix}idx:${region}:${month}`;
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

const FREEZE_SCRIPT = defineLua(
  'safetyIndexFreeze',
  `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('SET', k, ARGV[i + 1], 'NX', 'EX', ARGV[1]) then n = n + 1 end
end
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
  const ks = scored.map((r) => indexKey(keys, r.code, month));
  // Kept as long as the counters they were computed from.
  return runLua<number>(redis, FREEZE_SCRIPT, ks, [RETENTION.monthTtlS, ...scored.map(encode)]);
}

/** Published records of these regions for one month (absent ones left out). */
export async function readFrozen(
  redis: RedisClient,
  keys: Keys,
  month: string,
  codes: readonly string[],
  config: IndexConfig,
): Promise<Map<string, ScoredRegion>> {
  const out = new Map<string, ScoredRegion>();
  if (codes.length === 0) return out;
  const raws = await redis.mget(...codes.map((c) => indexKey(keys, c, month)));
  raws.forEach((raw, i) => {
    if (raw) out.set(codes[i]!, decode(codes[i]!, raw, config));
  });
  return out;
}

/** One region's published records for several months (absent ones left out). */
export async function readFrozenMonths(
  redis: RedisClient,
  keys: Keys,
  code: string,
  months: readonly string[],
  config: IndexConfig,
): Promise<Map<string, ScoredRegion>> {
  const out = new Map<string, ScoredRegion>();
  if (months.length === 0) return out;
  const raws = await redis.mget(...months.map((m) => indexKey(keys, code, m)));
  raws.forEach((raw, i) => {
    if (raw) out.set(months[i]!, decode(code, raw, config));
  });
  return out;
}
