import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.ts';
import { runLua } from './lua.ts';
import { READ_HASHES_SCRIPT } from './scripts.ts';

/** Slots by hash tag, for at most this many tags (a deployment has one per province). */
const slotOfTag = new Map<string, number>();
const MAX_TAGS = 1024;

/**
 * A key's cluster slot. Every key of a province carries its hash tag (`{62}`), and the slot is the
 * tag's: computed once per tag, not per key (cluster-key-slot encodes each key to hash it, and a
 * snapshot read names tens of keys; at 2,000 events/s that was 4 % of the hub's allocation).
 */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  // Redis hashes the whole key when there is no tag or it is empty (`{}`).
  if (close <= open + 1) return calculateSlot(key);
  const tag = key.slice(open + 1, close);
  let slot = slotOfTag.get(tag);
  if (slot === undefined) {
    slot = calculateSlot(key);
    if (slotOfTag.size < MAX_TAGS) slotOfTag.set(tag, slot);
  }
  return slot;
}

/** The indexes of `keys`, grouped by slot. */
function bySlot(keys: readonly string[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const slot = slotOf(k);
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

/**
 * How one hash is read: whole (undefined), only some fields, only the fields under some prefixes, or
 * summed inside Redis, for a reader that keeps a few totals of a hash of hundreds of fields.
 */
export type HashRead = readonly string[] | { readonly prefixes: readonly string[] } | HashSums;

export interface HashSums {
  /** A Lua pattern whose first capture names the total a field's value is added to. */
  readonly sumBy: string;
  /** A Lua pattern: the values of the fields it finds are also added to the total `as`. */
  readonly also?: { readonly pattern: string; readonly as: string };
  /** The same totals from the whole hash, for readers that have it whole (replay rebuilds hashes). */
  readonly fromWhole: (whole: Record<string, string>) => Record<string, string>;
}

/** What `read` gives of a hash a reader has whole: what hashesBySlot would have read of it. */
export function readAs(read: HashRead | undefined, whole: Record<string, string>): Record<string, string> {
  if (!read) return whole;
  if ('sumBy' in read) return read.fromWhole(whole);
  const h: Record<string, string> = {};
  if ('prefixes' in read) {
    for (const f in whole) if (read.prefixes.some((p) => f.startsWith(p))) h[f] = whole[f]!;
  } else for (const f of read) if (whole[f] !== undefined) h[f] = whole[f];
  return h;
}

function readArgs(read: HashRead | undefined): (string | number)[] {
  if (!read) return [0];
  if ('sumBy' in read) return [-2, read.sumBy, read.also?.pattern ?? '', read.also?.as ?? ''];
  if ('prefixes' in read) return [-1, read.prefixes.length, ...read.prefixes];
  return [read.length, ...read];
}

/** How a list of hashes is read: per slot, their indexes, keys and the script's arguments. */
export interface HashReadPlan {
  size: number;
  reads: readonly (HashRead | undefined)[] | undefined;
  groups: { idx: number[]; keys: string[]; args: (string | number)[] }[];
}

/**
 * The plan of a hashesBySlot read. A caller that reads the same keys again and again (a room's
 * snapshot, several times a second) keeps it instead of grouping and flattening hundreds of
 * arguments each time (readPlanned).
 */
export function planHashReads(keys: readonly string[], reads?: readonly (HashRead | undefined)[]): HashReadPlan {
  return {
    size: keys.length,
    reads,
    groups: [...bySlot(keys).values()].map((idx) => ({
      idx,
      keys: idx.map((i) => keys[i]!),
      args: idx.flatMap((i) => readArgs(reads?.[i])),
    })),
  };
}

/**
 * Many hashes, each read as `reads[i]` says (undefined: whole), in one script call per slot
 * (read-hashes.lua), so each province's hashes come from one instant as a MULTI's would, for one
 * command instead of one per key. A hash read by fields holds only those it has; sums hold their
 * non-zero totals as strings, as a hash of counters would. Replies are in the order of `keys`.
 */
export function hashesBySlot(
  redis: RedisClient,
  keys: readonly string[],
  reads?: readonly (HashRead | undefined)[],
): Promise<Record<string, string>[]> {
  return readPlanned(redis, planHashReads(keys, reads));
}

/** hashesBySlot with its plan made beforehand. */
export async function readPlanned(redis: RedisClient, plan: HashReadPlan): Promise<Record<string, string>[]> {
  const { reads } = plan;
  const out: Record<string, string>[] = new Array(plan.size);
  await Promise.all(
    plan.groups.map(async ({ idx, keys, args }) => {
      const replies = await runLua<(string | null)[][]>(redis, READ_HASHES_SCRIPT, keys, args);
      replies.forEach((r, j) => {
        const i = idx[j]!;
        const read = reads?.[i];
        const h: Record<string, string> = {};
        if (Array.isArray(read)) read.forEach((f: string, k) => r[k] != null && (h[f] = r[k]!));
        else for (let k = 0; k < r.length; k += 2) h[r[k]!] = r[k + 1]!;
        out[i] = h;
      });
    }),
  );
  return out;
}
