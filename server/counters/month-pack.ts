/**
 * Packs the closed months of the township combination hashes (`lmon:<township>:<month>`): their
 * ≈ 100 fields become one deflated field (low-level.ts `PACKED_FIELD`), 2.4 → 0.55 KB a township
 * and month, 18.8 MB of a year of Gansu measured (docs/capacity.md). Every Node reader of a
 * township hash unpacks first (low-level.ts), so nothing else changes.
 *
 * A month is packed once it has been over for a week: the snapshots read only the current month
 * (their sums and prefix reads are made inside Redis, where a packed value cannot be read), and
 * a replay base copies the months of the two days before its own (server/replay/base.ts). A
 * month still takes writes after that (a late event within ingest's 63 days, a case that closes,
 * an import of history): they land in plain fields beside the packed one, which readers add, and
 * the next run packs them in. Each run looks at the last thirteen months (an HLEN and an HEXISTS a
 * township and month); a hash already packed with nothing beside it costs no more.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import { runLua } from '../redis/lua.ts';
import { MONTH_PACK_SCRIPT } from '../redis/scripts.ts';
import { buckets, shiftMonth } from '../time/beijing.ts';
import { startBucketSweeping, type BucketSweeping } from '../redis/bucket-sweep.ts';
import { RETENTION } from './retention.ts';
import { packedLow, PACKED_FIELD, type Hash } from './low-level.ts';

/** How long after its end a month is first packed. */
const PACK_AFTER_MS = 7 * 86_400_000;
/** Townships read and packed per round trip. */
const CHUNK = 200;

/** The months to pack at `now`, newest first: those over for a week, back to the oldest kept. */
export function packableMonths(now: number): string[] {
  const newest = shiftMonth(buckets(now - PACK_AFTER_MS).month, -1);
  return Array.from({ length: RETENTION.monthBucketsKept + 1 }, (_, i) => shiftMonth(newest, -i));
}

/** Packs one chunk of hashes that hold plain fields; the number packed. */
async function packChunk(redis: RedisClient, keys: string[]): Promise<number> {
  const p = redis.pipeline();
  for (const k of keys) p.hlen(k).hexists(k, PACKED_FIELD);
  const lens = ((await p.exec()) ?? []).map(([err, v]) => {
    if (err) throw err;
    return Number(v);
  });
  // A hash needs packing when it holds a field besides its packed one.
  const due = keys.filter((_, i) => lens[2 * i]! > lens[2 * i + 1]!);
  if (due.length === 0) return 0;
  const read = redis.pipeline();
  for (const k of due) read.hgetall(k);
  const hashes = ((await read.exec()) ?? []).map(([err, v]) => {
    if (err) throw err;
    return v as Hash;
  });
  const packs = await Promise.all(
    due.map((k, i) => {
      const h = hashes[i]!;
      const plain = Object.entries(h).filter(([f]) => f !== PACKED_FIELD);
      return runLua<number>(
        redis,
        MONTH_PACK_SCRIPT,
        [k],
        [PACKED_FIELD, packedLow(h), h[PACKED_FIELD] ?? '', ...plain.flat()],
      );
    }),
  );
  return packs.reduce((a, b) => a + b, 0);
}

/** Packs the townships' closed months (packableMonths); the number of hashes packed. */
export async function packClosedMonths(
  redis: RedisClient,
  keys: Keys,
  townships: readonly string[],
  now: number,
): Promise<number> {
  let packed = 0;
  for (const month of packableMonths(now))
    for (let first = 0; first < townships.length; first += CHUNK)
      packed += await packChunk(
        redis,
        townships.slice(first, first + CHUNK).map((t) => keys.lowMonth(t, month)),
      );
  return packed;
}

/** Packs every six hours, one aggregator of all a period (the lease `lmonpack`); returns the stop. */
export function startMonthPacking(o: BucketSweeping & { townships: readonly string[] }): () => Promise<void> {
  return startBucketSweeping(
    o,
    o.keys.monthPackLease,
    (now) => packClosedMonths(o.redis, o.keys, o.townships, now),
    'township months packed',
    'packed',
  );
}
