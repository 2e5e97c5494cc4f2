import type { RedisClient } from '../../server/redis/connection.ts';

/** Every case-index set under `prefix` with its members and scores, to compare two states whole. */
export async function dumpCaseIndex(redis: RedisClient, prefix: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}cx:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of found) out[k] = await redis.zrange(k, '0', '-1', 'WITHSCORES');
  } while (cursor !== '0');
  return out;
}
