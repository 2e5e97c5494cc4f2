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
