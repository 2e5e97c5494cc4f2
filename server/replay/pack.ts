import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { runLua } from '../redis/lua.ts';
import { REPLAY_PACK_SCRIPT } from '../redis/scripts.ts';
import { RETENTION } from '../counters/retention.ts';
import { startPeriodic } from '../periodic.ts';

/**
 * Replay storage, part three: an hour's log and ticker lists, once the hour is closed, rewritten as
 * one raw-deflated string of their records joined by newlines (a record never holds one: change
 * records are `t|sig|sig`, ticker records JSON). Replay reads by the hour anyway (read.ts), so it
 * reads a packed hour whole; change records compress about 5–8× and a list entry's own overhead
 * goes too (docs/capacity.md). The open hour stays a list, which the commit script pushes to.
 *
 * A commit that straggles into a closed hour after it was packed pushes a new list beside the
 * string: readers take the string's records, then the list's (they came later); each run looks again
 * at the two hours before its mark and packs such a list into the string. Lists written before this existed are read the same way and packed by
 * the first run, which covers the whole retention window.
 */

const HOUR_MS = 3_600_000;
/** An hour is packed this long after it ends: a batch that read its clock before the end has committed by then. */
export const PACK_GRACE_MS = 5 * 60_000;
/** How often the aggregator packs what has closed. */
export const PACK_EVERY_MS = 5 * 60_000;

/** One hour's records in the order they were written: its packed string's, then its list's. */
export function hourRecords(packed: Buffer | null | undefined, list: readonly string[]): string[] {
  if (!packed?.length) return [...list];
  const old = inflateRawSync(packed).toString('utf8').split('\n');
  return list.length ? [...old, ...list] : old;
}

/** Packs one list into its string; false when something moved meanwhile (left for the next run). */
async function packList(redis: RedisClient, list: string, packedKey: string): Promise<boolean> {
  const replies = (await redis.multi().getBuffer(packedKey).lrange(list, 0, -1).pttl(list).exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const packed = replies[0]![1] as Buffer | null;
  const records = replies[1]![1] as string[];
  const ttl = replies[2]![1] as number;
  if (!records.length) return true;
  const next = deflateRawSync(Buffer.from(hourRecords(packed, records).join('\n'), 'utf8'));
  const done = await runLua<number>(redis, REPLAY_PACK_SCRIPT, [list, packedKey], [
    records.length,
    packed ?? '',
    next,
    ttl,
  ] as unknown as (string | number)[]);
  return done === 1;
}

/** The epochs whose log may hold hour `h`: a log's hours run from its base's hour − 1 to the next base's + 1. */
function epochsOfHour(epochs: readonly number[], h: number): number[] {
  return epochs.filter((at, i) => {
    const next = epochs[i + 1];
    return Math.floor(at / HOUR_MS) - 1 <= h && (next === undefined || Math.floor(next / HOUR_MS) + 1 >= h);
  });
}

export interface PackResult {
  /** Closed hours looked at. */
  hours: number;
  /** Lists packed. */
  lists: number;
  /** Lists left as lists because something moved while packing them. */
  moved: number;
}

/**
 * Packs every closed hour of one province's replay log and ticker not packed yet: those after the
 * last run's mark (and the two before it) up to the hour that ended PACK_GRACE_MS before `now` (without a mark, the whole
 * retention window: old lists converted once). Safe to run from several aggregators at once.
 */
export async function packClosedHours(redis: RedisClient, keys: Keys, now: number): Promise<PackResult> {
  const last = Math.floor((now - PACK_GRACE_MS) / HOUR_MS) - 1;
  const mark = await redis.get(keys.replayPackedUpTo);
  const first = mark === null ? Math.floor((now - RETENTION.replayTtlS * 1000) / HOUR_MS) : Number(mark) - 1;
  if (first > last) return { hours: 0, lists: 0, moved: 0 };
  const epochs = (await redis.zrange(keys.replayEpochs, '0', '-1')).map(Number).sort((a, b) => a - b);
  const candidates: { hour: number; list: string; packed: string }[] = [];
  for (let h = first; h <= last; h++) {
    for (const e of epochsOfHour(epochs, h))
      candidates.push({ hour: h, list: keys.replayLog(String(e), h), packed: keys.replayLogPacked(String(e), h) });
    candidates.push({ hour: h, list: keys.replayTicker(h), packed: keys.replayTickerPacked(h) });
  }
  // One slot (the province's tag): one pipeline finds the lists that exist.
  const p = redis.pipeline();
  for (const c of candidates) p.exists(c.list);
  const exists = (await p.exec()) ?? [];
  let lists = 0;
  let moved = 0;
  let firstMoved: number | undefined;
  for (const [i, c] of candidates.entries()) {
    const [err, n] = exists[i]!;
    if (err) throw err;
    if (!n) continue;
    if (await packList(redis, c.list, c.packed)) lists++;
    else {
      moved++;
      firstMoved ??= c.hour;
    }
  }
  await redis.set(keys.replayPackedUpTo, String(firstMoved === undefined ? last : firstMoved - 1));
  return { hours: last - first + 1, lists, moved };
}

/** Packs closed hours now and every PACK_EVERY_MS; returns the stop. */
export function startReplayPacking(o: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger?: Logger;
  everyMs?: number;
}): () => Promise<void> {
  return startPeriodic({
    task: async () => {
      const r = await packClosedHours(o.redis, o.keys, o.clock.now());
      if (r.lists || r.moved) o.logger?.info({ province: o.keys.prefix, ...r }, 'replay hours packed');
    },
    everyMs: o.everyMs ?? PACK_EVERY_MS,
    ...(o.logger ? { logger: o.logger } : {}),
    what: 'replay packing',
  });
}
