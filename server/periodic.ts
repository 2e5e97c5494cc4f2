import type { Logger } from './log.ts';
import type { RedisClient } from './redis/connection.ts';

/**
 * Runs `task` now (or `firstAfterMs` from now) and every `everyMs`, one run at a time (a run still going when the next is due
 * is not doubled). A failure is logged and the task tried again on the next run. The returned stop
 * clears the timer and waits for the run in flight.
 */
export function startPeriodic(o: {
  task: () => Promise<void>;
  everyMs: number;
  firstAfterMs?: number;
  logger?: Logger;
  /** What the task does, for the warning: `sweeping event-id marks`. */
  what: string;
}): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= o
      .task()
      .catch((err: unknown) => o.logger?.warn({ err }, `${o.what} failed; retried on the next run`))
      .finally(() => (running = undefined));
  };
  let timer: NodeJS.Timeout;
  const every = () => {
    run();
    timer = setInterval(run, o.everyMs);
    timer.unref();
  };
  if (o.firstAfterMs) {
    timer = setTimeout(every, o.firstAfterMs);
    timer.unref();
  } else every();
  return async () => {
    clearTimeout(timer);
    clearInterval(timer);
    await running;
  };
}

/**
 * How often a leased task asks whether it is due. The first ask waits a minute: a server that
 * starts (a test's, a restart) is not the moment to scan every bucket.
 */
const LEASE_CHECK_MS = 10 * 60_000;
const LEASE_FIRST_CHECK_MS = 60_000;

/**
 * Runs `task` once a period across every process sharing the Redis: whoever takes the lease (a key
 * set NX for the period) first runs it, whatever their number and restarts. For the sweeps of
 * bucket hashes, whose fields Redis 7.0 cannot expire.
 */
export function startLeasedPeriodic(o: {
  redis: RedisClient;
  lease: string;
  periodMs: number;
  task: () => Promise<void>;
  logger?: Logger;
  what: string;
}): () => Promise<void> {
  return startPeriodic({
    task: async () => {
      if (await o.redis.set(o.lease, '1', 'PX', o.periodMs, 'NX')) await o.task();
    },
    everyMs: Math.min(o.periodMs, LEASE_CHECK_MS),
    firstAfterMs: Math.min(o.periodMs, LEASE_FIRST_CHECK_MS),
    ...(o.logger ? { logger: o.logger } : {}),
    what: o.what,
  });
}
