/**
 * How many days of a month the system actually has data for. A system started on the 20th (or a
 * demo that backfilled two days) must not read as "the region was quiet for the other 18 days":
 * rates are per covered day, and a month without data is no baseline at all.
 *
 * A day is covered when the root region has any case that day. Day hashes live ~50 days, so the
 * count of a finished month is stored once (`idx:cov:<YYYYMM>`) while they still exist; for older
 * months never counted, a month with any data at the root is taken as fully covered.
 */
import type { Redis } from 'ioredis';
import { RETENTION } from '../aggregate/retention.ts';
import type { Keys } from '../redis/keys.ts';
import { dayNumber, dayStart } from '../time/beijing.ts';
import { currentMonth, DAY_MS, monthDays } from './months.ts';
import { readCoveredDays } from './read.ts';
import { coverageKey } from './store.ts';
import { TtlCache } from './ttl-cache.ts';

export class Coverage {
  private readonly cache: TtlCache<number>;

  constructor(
    private readonly deps: { redis: Redis; keys: Keys; root: string; now: () => number },
    private readonly liveTtlMs = 60_000,
  ) {
    this.cache = new TtlCache(64, deps.now);
  }

  /** Days of data in `month` (YYYYMM); for the current month, whole days so far plus today's elapsed part. */
  days(month: string): Promise<number> {
    const live = month === currentMonth(this.deps.now());
    return this.cache.get(month, live ? this.liveTtlMs : 3600_000, () => (live ? this.live(month) : this.past(month)));
  }

  private async live(month: string): Promise<number> {
    const now = this.deps.now();
    const today = dayNumber(now);
    const before = monthDays(month).filter((d) => d < today);
    const covered = await readCoveredDays(this.deps.redis, this.deps.keys, this.deps.root, before);
    // Today counts as covered: the system is running now. At least an hour, so the first minutes
    // of a month are not divided by almost nothing.
    return covered.size + Math.max(1 / 24, (now - dayStart(today)) / DAY_MS);
  }

  private async past(month: string): Promise<number> {
    const { redis, keys, root } = this.deps;
    const stored = await redis.get(coverageKey(keys, month));
    if (stored !== null) return Number(stored);
    const days = monthDays(month);
    const today = dayNumber(this.deps.now());
    if (days[0]! >= today - RETENTION.dayBucketsKept) {
      const n = (await readCoveredDays(redis, keys, root, days)).size;
      if (n > 0) await redis.set(coverageKey(keys, month), n, 'EX', RETENTION.monthTtlS, 'NX');
      return n;
    }
    const [i, d] = await redis.hmget(keys.month(root, month), 'i', 'd');
    return Number(i ?? 0) + Number(d ?? 0) > 0 ? days.length : 0;
  }
}
