import type { Redis } from 'ioredis';
import { AGGREGATOR_GROUP } from '../../server/redis/keys.ts';

/** Waits until the aggregator group has applied and acknowledged everything in the stream. */
export async function drained(redis: Redis, stream: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const groups = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
    const g = groups.find((x) => x[x.indexOf('name') + 1] === AGGREGATOR_GROUP);
    if (g) {
      const field = (name: string) => g[g.indexOf(name) + 1];
      const pending = Number(field('pending'));
      const lag = field('lag');
      if (pending === 0 && lag !== null && Number(lag) === 0) return;
    }
    if (Date.now() > end) throw new Error('the aggregator did not drain the stream in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
