import type { ChainableCommander } from 'ioredis';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { hashesBySlot, type HashRead } from '../redis/by-slot.ts';
import { levelOf } from '../../shared/regions.ts';
import { DISPUTES, INCIDENTS } from './fields.ts';
import { asHash, lowDayMarginals, lowKindSums, lowOpenMarginals, type Hash } from './low-level.ts';

/**
 * Where a region's counters of one bucket live and how to read them, whatever its level: readers
 * name a region and a bucket, never a layout. Province, city and county have hashes of their own;
 * a township or village is read from its township's combination hash (low-level.ts).
 */

/** A Beijing day number, a Beijing month (`YYYYMM`), or the open backlog now. */
export type Bucket = { day: number } | { month: string } | 'open';

/** Township and village: counted in their township's combination hashes. */
export const isLowLevel = (code: string) => code.length >= 9;

/** The key of the hash that holds `code`'s counters of `bucket` (its township's, below the county). */
export function counterKey(keys: Keys, code: string, bucket: Bucket): string {
  if (isLowLevel(code)) {
    const township = code.slice(0, 9);
    if (bucket === 'open') return keys.lowOpen(township);
    return 'day' in bucket ? keys.lowDay(township, bucket.day) : keys.lowMonth(township, bucket.month);
  }
  if (bucket === 'open') return keys.open(code);
  return 'day' in bucket ? keys.day(code, bucket.day) : keys.month(code, bucket.month);
}

/** `code`'s marginal fields from the HGETALL of counterKey(code, bucket). */
export function decodeCounters(code: string, bucket: Bucket, reply: Hash | null): Hash {
  const h = reply ?? {};
  if (!isLowLevel(code)) return h;
  return asHash(bucket === 'open' ? lowOpenMarginals(h, code) : lowDayMarginals(h, code));
}

/**
 * How to read what a parent's ranking of its children needs (`i`, `d`, and in the open hash `od`)
 * of counterKey(code, bucket): those `fields` of a hash above the township, the kind sums of a
 * township's combination hash; either way the reply is a hash of those figures.
 */
export function totalsRead(code: string, bucket: Bucket, fields: readonly string[]): HashRead {
  return isLowLevel(code) ? lowKindSums(bucket === 'open') : fields;
}

/** Queues the read of all of `code`'s counters of `bucket`; the decoder gives its marginal fields. */
export function queueCounters(
  tx: ChainableCommander,
  keys: Keys,
  code: string,
  bucket: Bucket,
): (reply: unknown) => Hash {
  tx.hgetall(counterKey(keys, code, bucket));
  return (reply) => decodeCounters(code, bucket, reply as Hash | null);
}

/**
 * Queues the read of a region's day fields (`i`, `d`, then `fields`: `h:9:i`, `q:108:i` …): an
 * HMGET above the township, the township's combination hash decoded below. The decoder gives their
 * values, null where the region had none that day.
 */
export function queueDayRead(
  tx: ChainableCommander,
  keys: Keys,
  code: string,
  day: number,
  fields: string[],
): (reply: unknown) => (string | null)[] {
  const key = counterKey(keys, code, { day });
  if (!isLowLevel(code)) {
    tx.hmget(key, INCIDENTS, DISPUTES, ...fields);
    return (reply) => (reply as (string | null)[] | null) ?? [];
  }
  tx.hgetall(key);
  return (reply) => {
    const m = lowDayMarginals((reply as Hash | null) ?? {}, code);
    return [INCIDENTS, DISPUTES, ...fields].map((f) => (m[f] ? String(m[f]) : null));
  };
}

/**
 * The regions whose counters add up to `code`'s: itself, or for the nation, which has no counters
 * of its own (nothing per event is written for it), the provinces served.
 */
export function counterParts(ring: KeyRing, code: string): readonly string[] {
  return levelOf(code) === 'nation' ? ring.provinces : [code];
}

/**
 * The marginal counters of several regions for one bucket, each the field-by-field sum of its
 * parts' hashes (counterParts), read under each part's province keys, one MULTI per slot; a
 * township's hash is read once for all its villages.
 */
export async function readCounterSums(
  redis: Parameters<typeof hashesBySlot>[0],
  keys: Keys | KeyRing,
  codes: readonly string[],
  bucket: Bucket,
): Promise<Map<string, Hash>> {
  const ring = asKeyRing(keys);
  const partsOf = new Map(codes.map((c) => [c, counterParts(ring, c)]));
  const keyOf = (part: string) => counterKey(ring.of(part), part, bucket);
  const unique = [...new Set([...partsOf.values()].flatMap((ps) => ps.map(keyOf)))];
  const replies = await hashesBySlot(redis, unique);
  const byKey = new Map(unique.map((k, i) => [k, replies[i] ?? {}]));
  const out = new Map<string, Hash>();
  for (const [code, parts] of partsOf) {
    const sum: Record<string, number> = {};
    for (const part of parts)
      for (const [f, v] of Object.entries(decodeCounters(part, bucket, byKey.get(keyOf(part))!)))
        sum[f] = (sum[f] ?? 0) + Number(v);
    out.set(code, asHash(sum));
  }
  return out;
}
