/**
 * The monthly timer: at 00:05 on the 1st (Beijing) it freezes the month before — every region's
 * 督办考核 and the 平安指数 publication of every peer group — so a finished month is fixed when the
 * month turns, not whenever someone first asks. Time comes from the injected clock; the interval
 * only decides how often it looks. Every server process runs one: a lock lets one do the work, a
 * done mark (`asmdone:<YYYYMM>`) ends it for all, and the freezes themselves write only what is
 * missing, so running it again changes nothing. A process started late (down over the 1st) catches
 * up on its first look.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Logger } from '../log.ts';
import type { Keys } from '../redis/keys.ts';
import { buckets, isoBeijing, shiftMonth } from '../time/beijing.ts';

/** Minutes after midnight on the 1st: late events of the last minutes are in by then. */
export const FREEZE_AFTER_MS = 5 * 60_000;
const LOCK_S = 30 * 60;

/** The month the timer must have frozen by `now` (`YYYYMM`): the one before the month of now − 5 min. */
export function dueMonth(now: number): string {
  return shiftMonth(buckets(now - FREEZE_AFTER_MS).month, -1);
}

export interface MonthlyFreeze {
  /** Looks now: freezes the due month unless done or under way elsewhere; resolves with the month it froze. */
  tick(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export function startMonthlyFreeze(o: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  /**
   * Freezes everything of a finished month; idempotent. False when the month has no data at all
   * (a new system, or a store whose history is still being filled): nothing is marked done, the
   * next look tries again.
   */
  freeze: (month: string) => Promise<boolean>;
  everyMs?: number;
}): MonthlyFreeze {
  let busy: Promise<string | undefined> | undefined;

  async function run(): Promise<string | undefined> {
    const month = dueMonth(o.clock.now());
    if (await o.redis.exists(o.keys.monthFrozen(month))) return undefined;
    const lock = o.keys.monthFreezeLock(month);
    if ((await o.redis.set(lock, String(process.pid), 'EX', LOCK_S, 'NX')) !== 'OK') return undefined;
    try {
      const started = o.clock.now();
      if (!(await o.freeze(month))) return undefined;
      await o.redis.set(o.keys.monthFrozen(month), isoBeijing(o.clock.now()), 'EX', RETENTION.monthTtlS);
      o.logger.info({ month, ms: o.clock.now() - started }, 'month frozen: 督办考核 and 平安指数');
      return month;
    } finally {
      await o.redis.del(lock);
    }
  }

  function tick(): Promise<string | undefined> {
    busy ??= run()
      .catch((err: unknown) => {
        o.logger.error({ err }, 'monthly freeze failed; retrying on the next look');
        return undefined;
      })
      .finally(() => (busy = undefined));
    return busy;
  }

  const timer = setInterval(() => void tick(), o.everyMs ?? 60_000);
  timer.unref();
  // A process that was down over the 1st catches up now.
  void tick();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await busy;
    },
  };
}
