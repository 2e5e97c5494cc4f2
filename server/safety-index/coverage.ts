/**
 * How many days of a month the system actually has data for. A system started on the 20th (or a
 * demo that backfilled two days) must not read as "the region was quiet for the other 18 days":
 * rates are per covered day, and a month without data is no baseline at all.
 *
 * A day is covered when the root region has any case that day. Day hashes live ~50 days, so the
 * count of a finished month is stored once (`idx:cov:<YYYYMM>`) while they still exist; for older
 * months never counted, a month with any data at the root is taken as fully covered.
 * (See past() for a month partly out of the day hashes' reach.)
 */
import type { RedisClient } from '../redis/connection.ts';
import { RETENTION } from '../counters/retention.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import { dayNumber, dayStart } from '../time/beijing.ts';
import { currentMonth, DAY_MS, monthDays, monthEnd } from './months.ts';
import { readCoveredDays } from './read.ts';
import { coverageKey } from './store.ts';
import { TtlCache } from './ttl-cache.ts';

/** How long after a month's end its coverage may still grow (late events, a backfill). */
const SETTLE_MS = 7 * DAY_MS;

export class Coverage {
  private readonly cache: TtlCache<number>;

  constructor(
    private readonly deps: { redis: RedisClient; keys: Keys | KeyRing; roots: readonly string[]; now: () => number },
    private readonly liveTtlMs = 60_000,
  ) {
    this.cache = new TtlCache(64, deps.now);
  }

  /**
   * Days of data in `month` (YYYYMM); for the current month, whole days so far plus today's elapsed
   * part. `filling`: history is still arriving for it (server/history-fill.ts), kept only briefly.
   */
  days(month: string, filling = false): Promise<number> {
    const live = month === currentMonth(this.deps.now());
    return this.cache.get(month, live || filling ? this.liveTtlMs : 3600_000, () =>
      live ? this.live(month) : this.past(month, filling),
    );
  }

  forget(): void {
    this.cache.clear();
  }

  private async live(month: string): Promise<number> {
    const now = this.deps.now();
    const today = dayNumber(now);
    const before = monthDays(month).filter((d) => d < today);
    const covered = await readCoveredDays(this.deps.redis, this.deps.keys, this.deps.roots, before);
    // Today counts as covered: the system is running now. At least an hour, so the first minutes
    // of a month are not divided by almost nothing.
    return covered.size + Math.max(1 / 24, (now - dayStart(today)) / DAY_MS);
  }

  private async past(month: string, filling: boolean): Promise<number> {
    const { redis, roots } = this.deps;
    const ring = asKeyRing(this.deps.keys);
    const keys = ring.root;
    const stored = await redis.get(coverageKey(keys, month));
    if (stored !== null) return Number(stored);
    const now = this.deps.now();
    const days = monthDays(month);
    const visible = days.filter((d) => d >= dayNumber(now) - RETENTION.dayBucketsKept);
    if (visible.length === 0) {
      for (const root of roots) {
        const [i, d] = await redis.hmget(ring.of(root).month(root, month), 'i', 'd');
        if (Number(i ?? 0) + Number(d ?? 0) > 0) return days.length;
      }
      return 0;
    }
    const covered = await readCoveredDays(redis, ring, roots, visible);
    // Days whose hashes are gone: the system was running then if it was on the first day still
    // visible (a system started later than that has no data before it either).
    const n = covered.size + (covered.has(visible[0]!) ? days.length - visible.length : 0);
    // Stored once late data has settled (a backfill or a slow source still filling the month would
    // otherwise fix a count that is too small; a fill it knows of, never), and before the month's
    // first days leave retention.
    if (n > 0 && !filling && now > monthEnd(month) + SETTLE_MS && visible.length === days.length)
      await redis.set(coverageKey(keys, month), n, 'EX', RETENTION.monthTtlS, 'NX');
    return n;
  }
}
