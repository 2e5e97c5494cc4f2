import calculateSlot from 'cluster-key-slot';
import type { RedisClient } from './connection.ts';

/**
 * HGETALL of many keys, one MULTI per slot (one per province's hash tag): each province's hashes
 * come from one instant, and a read spanning provinces (the nation) works on a Redis Cluster,
 * which refuses a transaction across slots. On one Redis the groups are still separate MULTIs,
 * so both deployments read the same way. Replies are in the order of `keys`.
 */
export async function hgetallBySlot(redis: RedisClient, keys: readonly string[]): Promise<Record<string, string>[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const slot = calculateSlot(k);
    const g = groups.get(slot);
    if (g) g.push(i);
    else groups.set(slot, [i]);
  });
  const out: Record<string, string>[] = new Array(keys.length);
  await Promise.all(
    [...groups.values()].map(async (idx) => {
      const tx = redis.multi();
      for (const i of idx) tx.hgetall(keys[i]!);
      const replies = await tx.exec();
      if (!replies) throw new Error('snapshot transaction aborted');
      replies.forEach(([err, v], j) => {
        if (err) throw err;
        out[idx[j]!] = v as Record<string, string>;
      });
    }),
  );
  return out;
}
