/**
 * The event-id dedupe marks: the one owner of their stored shape. A mark is a field of one of a
 * province's bucket hashes (`evm:<n>`, chosen by a CRC-32 of the id), valued with the day (UTC days
 * since the epoch) from which it may go. A key per id cost 72 B an event;
 * a field in a bucket kept as a listpack costs the id and a small integer, ≈ 20 B.
 *
 * Redis 7.0 cannot expire a hash field, so marks are swept: every six hours one aggregator
 * removes the fields whose day has come (`sweepMarks`). Until swept an expired mark is ignored by
 * ingest, so a mark answers as long as the key it replaced did (64 days after its event, rounded up
 * to the next UTC day), whatever the sweep's delay.
 *
 * The bucket count is fixed per province at its first use (stored in `evmlayout`, never changed:
 * a mark is found only in the bucket it was written to) and sized from the province's population
 * so a bucket holds ≈ 50–65 marks at steady state, under Redis's listpack limit of 128 entries.
 */
import { crc32 } from 'node:zlib';
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import { startBucketSweeping, sweepBuckets, type BucketSweeping } from '../redis/bucket-sweep.ts';
import { eventMarkExpiresAtS, RETENTION } from '../counters/retention.ts';
import { bucketsByPopulation } from '../regions/population.ts';

const DAY_MS = 86_400_000;
/**
 * People per bucket. Gansu's 24.9 M people send ≈ 23,300 events a day (its 2024 figures, the
 * simulator's rates); held 64–65 days that is ≈ 1.5 M marks, ≈ 51 a bucket at 29,300 buckets.
 */
const PEOPLE_PER_BUCKET = 850;
/**
 * After an upgrade from marks as keys (`ev:<id>`), ingest also checks those keys for as long as
 * one can still be alive: they expire by themselves 64 days after their event at the latest; a
 * week more covers servers of the old version still writing them during the rollout.
 */
const LEGACY_KEYS_MS = RETENTION.eventMarkTtlS * 1000 + 7 * DAY_MS;

export interface MarkLayout {
  buckets: number;
  /** Until when (ms) marks written as keys by an older version may still be alive; 0: none. */
  legacyUntil: number;
}

/** The day number (UTC days since the epoch) of `ms`. */
export const markDay = (ms: number) => Math.floor(ms / DAY_MS);

/** The first day on which an event's mark may go: its key expired 64 days after the event. */
export const markExpiryDay = (eventMs: number) => Math.ceil((eventMarkExpiresAtS(eventMs) * 1000) / DAY_MS);

export const markBucket = (id: string, buckets: number) => crc32(id) % buckets;

const layouts = new WeakMap<RedisClient, Map<string, Promise<MarkLayout>>>();

/**
 * The province's mark layout, read once per client (and written the first time any server asks).
 * A deployment without an events stream has never written marks as keys: no legacy check.
 */
export function markLayout(redis: RedisClient, keys: Keys, now: number): Promise<MarkLayout> {
  let byPrefix = layouts.get(redis);
  if (!byPrefix) layouts.set(redis, (byPrefix = new Map()));
  let layout = byPrefix.get(keys.prefix);
  if (!layout) {
    layout = readLayout(redis, keys, now);
    byPrefix.set(keys.prefix, layout);
    layout.catch(() => byPrefix.delete(keys.prefix));
  }
  return layout;
}

async function readLayout(redis: RedisClient, keys: Keys, now: number): Promise<MarkLayout> {
  let [buckets, legacy] = await redis.hmget(keys.eventMarkLayout, 'b', 'legacy');
  if (buckets === null || legacy === null) {
    const used = (await redis.exists(keys.events)) === 1;
    await redis
      .multi()
      .hsetnx(keys.eventMarkLayout, 'b', bucketsByPopulation(keys.tag, PEOPLE_PER_BUCKET))
      .hsetnx(keys.eventMarkLayout, 'legacy', used ? now + LEGACY_KEYS_MS : 0)
      .exec();
    [buckets, legacy] = await redis.hmget(keys.eventMarkLayout, 'b', 'legacy');
  }
  return { buckets: Number(buckets), legacyUntil: Number(legacy) };
}

/** The day from which `id`'s mark may go, or undefined when it has none (or it has expired). */
export async function readMark(redis: RedisClient, keys: Keys, id: string, now: number): Promise<number | undefined> {
  const { buckets } = await markLayout(redis, keys, now);
  const day = await redis.hget(keys.eventMarks(markBucket(id, buckets)), id);
  return day !== null && Number(day) > markDay(now) ? Number(day) : undefined;
}

/** Removes every mark whose day has come; the number removed. */
export async function sweepMarks(redis: RedisClient, keys: Keys, now: number): Promise<number> {
  const { buckets } = await markLayout(redis, keys, now);
  return sweepBuckets(redis, keys.eventMarks, buckets, 'm', markDay(now));
}

/** Sweeps every six hours, one aggregator of all a period (the lease `evmsweep`); returns the stop. */
export function startMarkSweeping(o: BucketSweeping): () => Promise<void> {
  return startBucketSweeping(
    o,
    o.keys.eventMarkSweep,
    (now) => sweepMarks(o.redis, o.keys, now),
    'expired event-id marks',
  );
}
