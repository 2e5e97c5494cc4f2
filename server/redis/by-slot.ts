import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.ts';
import { runLua } from './lua.ts';
import { READ_HASHES_SCRIPT } from './scripts.ts';

/** The indexes of `keys`, grouped by slot. */
function bySlot(keys: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const slot = calculateSlot(k);
    const g = groups.get(slot);
    if (g) g.push(i);
    else groups.set(slot, [i]);
  });
  return groups;
}

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
  const out: unknown[] = new Array(keys.length);
  await Promise.all(
    [...bySlot(keys).values()].map(async (idx) => {
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

/** HGETALL of many keys, each slot's at one instant (see hashesBySlot). */
export async function hgetallBySlot(redis: RedisClient, keys: readonly string[]): Promise<Record<string, string>[]> {
  return hashesBySlot(redis, keys);
}

/**
 * Many hashes, each whole or only the fields named for it (`fields[i]`, undefined: whole), in one
 * script call per slot (read-hashes.lua), so each province's hashes come from one instant as a
 * MULTI's would, for one command instead of one per key. A hash read by fields holds only those
 * it has. Replies are in the order of `keys`.
 */
export async function hashesBySlot(
  redis: RedisClient,
  keys: readonly string[],
  fields?: readonly (readonly string[] | undefined)[],
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = new Array(keys.length);
  await Promise.all(
    [...bySlot(keys).values()].map(async (idx) => {
      const args: (string | number)[] = [];
      for (const i of idx) {
        const named = fields?.[i] ?? [];
        args.push(named.length, ...named);
      }
      const replies = await runLua<(string | null)[][]>(
        redis,
        READ_HASHES_SCRIPT,
        idx.map((i) => keys[i]!),
        args,
      );
      replies.forEach((r, j) => {
        const i = idx[j]!;
        const h: Record<string, string> = {};
        const named = fields?.[i];
        if (named?.length) named.forEach((f, k) => r[k] != null && (h[f] = r[k]!));
        else for (let k = 0; k < r.length; k += 2) h[r[k]!] = r[k + 1]!;
        out[i] = h;
      });
    }),
  );
  return out;
}
