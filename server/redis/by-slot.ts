import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.ts';

/**
 * Runs one command per key, grouped by slot (one group per province's hash tag): a read that spans
 * provinces (the nation's) works on a Redis Cluster, which refuses a transaction across slots and
 * sends a pipeline to one node. With `atomic` each group is a MULTI, so each province's replies
 * come from one instant. On one Redis the groups are still separate, so both deployments read the
 * same way. Replies are in the order of `keys`; the first error is thrown.
 */
export async function execBySlot(
  redis: RedisClient,
  keys: readonly string[],
  queue: (p: ChainableCommander, key: string, i: number) => void,
  atomic = false,
): Promise<unknown[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const slot = calculateSlot(k);
    const g = groups.get(slot);
    if (g) g.push(i);
    else groups.set(slot, [i]);
  });
  const out: unknown[] = new Array(keys.length);
  await Promise.all(
    [...groups.values()].map(async (idx) => {
      const p = atomic ? redis.multi() : redis.pipeline();
      for (const i of idx) queue(p, keys[i]!, i);
      const replies = await p.exec();
      if (!replies) throw new Error('transaction aborted');
      replies.forEach(([err, v], j) => {
        if (err) throw err;
        out[idx[j]!] = v;
      });
    }),
  );
  return out;
}

/** HGETALL of many keys, one MULTI per slot (see execBySlot). */
export async function hgetallBySlot(redis: RedisClient, keys: readonly string[]): Promise<Record<string, string>[]> {
  return (await execBySlot(redis, keys, (p, k) => p.hgetall(k), true)) as Record<string, string>[];
}
