import type { RedisClient } from '../redis/connection.ts';
import { AGGREGATOR_GROUP } from '../redis/keys.ts';
import { runLua } from '../redis/lua.ts';
import { REAP_CONSUMERS_SCRIPT } from '../redis/scripts.ts';

/**
 * The one reader of the aggregator consumer group's state (XINFO GROUPS, XPENDING, XRANGE):
 * whether it is drained, how far behind it is, how far the stream may be trimmed, and which of
 * its consumers are dead. Lag is a property of the stream, so any node can read it.
 */

/** One group's XINFO GROUPS fields, by name. */
export type GroupFields = (name: string) => unknown;

/** Every group of the stream (none before the stream exists). */
export async function groupsInfo(redis: RedisClient, stream: string): Promise<GroupFields[]> {
  const groups = (await redis.xinfo('GROUPS', stream).catch((err: unknown) => {
    if (String(err).includes('no such key')) return [];
    throw err;
  })) as unknown[][];
  return groups.map((g) => (name: string) => g[g.indexOf(name) + 1]);
}

/** The aggregator group's fields; undefined before the group exists. */
export async function groupInfo(redis: RedisClient, stream: string): Promise<GroupFields | undefined> {
  return (await groupsInfo(redis, stream)).find((f) => f('name') === AGGREGATOR_GROUP);
}

/**
 * The first entry the group has not been given, if any. Redis's own `lag` is a count kept beside
 * the stream that an AOF reload can leave wrong (null, or stuck thousands above zero with nothing
 * left to deliver — seen after a kill -9 of the embedded Redis): the stream itself is the truth.
 */
async function firstUndelivered(
  redis: RedisClient,
  stream: string,
  lastDelivered: string,
): Promise<string | undefined> {
  return (await redis.xrange(stream, `(${lastDelivered}`, '+', 'COUNT', 1))[0]?.[0];
}

/** Whether the aggregator group has applied and acknowledged everything in the stream. */
export async function streamDrained(redis: RedisClient, stream: string): Promise<boolean> {
  const field = await groupInfo(redis, stream).catch(() => undefined);
  if (!field || Number(field('pending')) !== 0) return false;
  const lag = field('lag');
  if (lag !== null && lag !== undefined && Number(lag) === 0) return true;
  return (await firstUndelivered(redis, stream, String(field('last-delivered-id')))) === undefined;
}

export interface GroupLag {
  /** Entries not yet delivered to any consumer of the group. */
  undelivered: number;
  /** Entries delivered but not yet acknowledged (being applied, or held by a dead consumer). */
  pending: number;
  /** Age of the oldest entry in either set, by Redis's own clock (the one that stamped the ids); 0 when none. */
  oldestAgeMs: number;
}

/** Milliseconds part of a stream id (`1700000000000-3`). */
export function idMs(id: string): number {
  return Number(id.split('-')[0]);
}

/** When there is no usable `lag` field, undelivered entries are counted up to this many. */
const COUNT_CAP = 10_000;

/**
 * How far the group is behind the stream. Before any aggregator created the group, everything in
 * the stream is undelivered: a node that has never had a consumer must not report 0.
 */
export async function readGroupLag(redis: RedisClient, stream: string): Promise<GroupLag> {
  const [field, time] = await Promise.all([groupInfo(redis, stream), redis.time()]);
  const redisNow = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
  const age = (id: string | undefined) => (id ? Math.max(0, redisNow - idMs(id)) : 0);
  if (!field) {
    const [len, first] = await Promise.all([redis.xlen(stream), redis.xrange(stream, '-', '+', 'COUNT', 1)]);
    return { undelivered: len, pending: 0, oldestAgeMs: age(first[0]?.[0]) };
  }
  const pending = Number(field('pending'));
  const lastDelivered = String(field('last-delivered-id'));
  const lag = field('lag');
  const next =
    lag !== null && lag !== undefined && Number(lag) === 0
      ? undefined
      : await firstUndelivered(redis, stream, lastDelivered);
  // Redis leaves `lag` null when it cannot tell (entries deleted inside the range): count them.
  // Nothing after the last delivered entry is 0, whatever `lag` says.
  const undelivered = !next
    ? 0
    : lag === null || lag === undefined
      ? (await redis.xrange(stream, `(${lastDelivered}`, '+', 'COUNT', COUNT_CAP)).length
      : Number(lag);
  let oldest: string | undefined;
  if (pending > 0) {
    const summary = (await redis.xpending(stream, AGGREGATOR_GROUP)) as [number, string | null, ...unknown[]];
    oldest = summary[1] ?? undefined;
  }
  oldest ??= next;
  return { undelivered, pending, oldestAgeMs: age(oldest) };
}

/**
 * Removes consumers of the group (other than `self`) that hold no entries and have not been
 * heard of for `idleMs`: dead aggregators whose entries were claimed. The check and the removal
 * are one script, so a consumer that reads entries in between is never removed with them.
 */
export async function reapConsumers(
  redis: RedisClient,
  stream: string,
  self: string,
  idleMs: number,
): Promise<string[]> {
  return runLua<string[]>(redis, REAP_CONSUMERS_SCRIPT, [stream], [AGGREGATOR_GROUP, self, idleMs]);
}
