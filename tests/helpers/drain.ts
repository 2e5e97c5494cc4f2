import type { RedisClient } from '../../server/redis/connection.ts';
import { streamDrained } from '../../server/aggregate/group.ts';

/** Waits until the aggregator group has applied and acknowledged everything in the stream. */
export async function drained(redis: RedisClient, stream: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await streamDrained(redis, stream))) {
    if (Date.now() > end) throw new Error('the aggregator did not drain the stream in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Entries ever appended to a stream (XINFO STREAM `entries-added`): the aggregator trims what it
 * has acknowledged, so the stream's length is what is still to do, not what came in.
 */
export async function appendedCount(redis: RedisClient, stream: string): Promise<number> {
  if (!(await redis.exists(stream))) return 0;
  const info = (await redis.xinfo('STREAM', stream)) as unknown[];
  return Number(info[info.indexOf('entries-added') + 1]);
}
