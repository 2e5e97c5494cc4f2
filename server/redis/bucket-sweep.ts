import type { RedisClient } from './connection.ts';
import type { Keys } from './keys.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { runLua } from './lua.ts';
import { BUCKET_SWEEP_SCRIPT } from './scripts.ts';
import { startLeasedPeriodic } from '../periodic.ts';

/** Buckets per script call: a call scans ≈ 20–60 fields a bucket, a few ms of Redis. */
const CHUNK = 200;

/**
 * Removes the fields that have gone from `count` bucket hashes (`bucket(0)` … `bucket(count − 1)`):
 * `m` event-id marks whose day is `at` or earlier, `c` cases forgotten by `at` (epoch s), `r` the
 * warning rules' records forgotten by `at` (epoch s). Redis 7.0 cannot expire a hash field; the
 * owners of those shapes sweep through this. The number removed.
 */
export async function sweepBuckets(
  redis: RedisClient,
  bucket: (n: number) => string,
  count: number,
  kind: 'm' | 'c' | 'r',
  at: number,
): Promise<number> {
  let removed = 0;
  for (let first = 0; first < count; first += CHUNK) {
    const keys = Array.from({ length: Math.min(CHUNK, count - first) }, (_, i) => bucket(first + i));
    removed += await runLua<number>(redis, BUCKET_SWEEP_SCRIPT, keys, [kind, at]);
  }
  return removed;
}

/** What an owner's periodic sweep of its buckets runs with. */
export interface BucketSweeping {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger?: Logger;
  /** The sweep's period (default six hours). */
  everyMs?: number;
}

const SWEEP_EVERY_MS = 6 * 3_600_000;

/**
 * Runs an owner's `sweep` every six hours (or `everyMs`), on one aggregator of all a period (the
 * lease `lease` in Redis), logging how many it did as `field` (what went: `removed`) with the
 * message `what`; returns the stop.
 */
export function startBucketSweeping(
  o: BucketSweeping,
  lease: string,
  sweep: (now: number) => Promise<number>,
  what: string,
  field = 'removed',
): () => Promise<void> {
  return startLeasedPeriodic({
    redis: o.redis,
    lease,
    periodMs: o.everyMs ?? SWEEP_EVERY_MS,
    task: async () => {
      const n = await sweep(o.clock.now());
      if (n) o.logger?.info({ province: o.keys.prefix, [field]: n }, what);
    },
    ...(o.logger ? { logger: o.logger } : {}),
    what: `sweeping: ${what}`,
  });
}
