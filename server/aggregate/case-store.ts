/**
 * Where a case's state is kept: the one owner of that stored shape. A case is a field of one of
 * its province's bucket hashes (`cs:<n>`, chosen by a CRC-32 of the case id), valued
 *
 *   <version> TAB <second from which it is forgotten, '' while open> TAB <state> TAB <summary>
 *
 * the state packed by encodeCase, the summary that of the case's earliest event. A key per case
 * cost ≈ 356 B (its name, expiry, dictionary entries and its own small hash); a field of a bucket
 * kept as a listpack costs its id, its value and a few bytes (docs/capacity.md).
 *
 * Redis 7.0 cannot expire a field, so a closed case carries the second it is forgotten at: every
 * reader (here, commit.lua, import-cases.lua) treats it as absent from then, and one aggregator of
 * all removes such fields every six hours (`startCaseSweeping`). A case is forgotten exactly
 * when its key's expiry would have removed it, whatever the sweep's delay.
 *
 * The bucket count is a function of the province's population, written to `cslayout` the first
 * time and checked at every start (`checkCaseLayout`): a case is found only in the bucket it was
 * written to, so a count that changed would lose them all.
 */
import { crc32 } from 'node:zlib';
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import { startBucketSweeping, sweepBuckets, type BucketSweeping } from '../redis/bucket-sweep.ts';
import { closedCaseExpiresAtS } from '../counters/retention.ts';
import { bucketsByPopulation } from '../regions/population.ts';
import { decodeCase, encodeCase, isOpen, latestEventTime, type CaseState } from './case-state.ts';

/**
 * People per bucket. Gansu's 24.9 M people open ≈ 8,500 cases a day, held 68 days after their
 * latest event: ≈ 580,000 cases, ≈ 20 a bucket at 29,436 buckets. A listpack's write and read
 * cost grow with its size: measured on Redis 7.0 with ≈ 250 B values, an update took 1.08 µs of
 * Redis CPU as a key of its own, 1.56 µs in buckets of 20 and 4.28 µs in buckets of 58, and the
 * memory a case was 353 / 263 / 288 B (docs/capacity.md).
 */
const PEOPLE_PER_BUCKET = 850;

/** A case as read: its version ('' when there is none), state and summary. */
export interface StoredCase {
  v: string;
  state?: CaseState;
  summary?: string;
}

/** The province's bucket count. */
export const caseBuckets = (province: string) => bucketsByPopulation(province, PEOPLE_PER_BUCKET);

/** The bucket that holds `caseId`. */
export const caseKey = (keys: Keys, caseId: string) => keys.caseBucket(crc32(caseId) % caseBuckets(keys.tag));

const forgetAt = (state: CaseState) => (isOpen(state) ? undefined : closedCaseExpiresAtS(latestEventTime(state)));
/** Whether a case forgotten at `at` (epoch s; undefined: open) is gone by `now` (ms). */
const goneBy = (at: number | undefined, now: number) => at !== undefined && at <= Math.floor(now / 1000);

/** A case's stored value at version `v`. */
export function storedCaseValue(v: string, caseId: string, state: CaseState, summary: string): string {
  return `${v}\t${forgetAt(state) ?? ''}\t${encodeCase(caseId, state)}\t${summary}`;
}

/** A stored value's four parts, the state still packed; the summary may hold tabs, the rest not. */
function split(raw: string) {
  const a = raw.indexOf('\t');
  const b = raw.indexOf('\t', a + 1);
  const c = raw.indexOf('\t', b + 1);
  const forget = raw.slice(a + 1, b);
  return {
    v: raw.slice(0, a),
    forget: forget === '' ? undefined : Number(forget),
    packed: raw.slice(b + 1, c),
    summary: raw.slice(c + 1),
  };
}

/** Whether a case in `state` is forgotten by `now`: nothing of it is kept (a key's expiry ≤ 0). */
export const forgottenBy = (state: CaseState, now: number) => goneBy(forgetAt(state), now);

/** A stored value (null: none) read at `now`: a case forgotten by then reads as absent. */
export function parseStoredCase(caseId: string, raw: string | null, now: number): StoredCase {
  if (raw === null) return { v: '' };
  const { v, forget, packed, summary } = split(raw);
  return goneBy(forget, now) ? { v: '' } : { v, state: decodeCase(caseId, packed), summary };
}

/** The cases' versions, states and summaries at `now`, in one round trip. */
export async function readCases(
  redis: RedisClient,
  keys: Keys,
  caseIds: readonly string[],
  now: number,
): Promise<Map<string, StoredCase>> {
  const p = redis.pipeline();
  for (const id of caseIds) p.hget(caseKey(keys, id), id);
  const replies = (await p.exec()) ?? [];
  const states = new Map<string, StoredCase>();
  replies.forEach(([err, raw], i) => {
    if (err) throw err;
    states.set(caseIds[i]!, parseStoredCase(caseIds[i]!, raw as string | null, now));
  });
  return states;
}

/** The second a stored case is forgotten at: null while open, undefined when there is none. */
export async function readForgetAt(redis: RedisClient, keys: Keys, caseId: string): Promise<number | null | undefined> {
  const raw = await redis.hget(caseKey(keys, caseId), caseId);
  return raw === null ? undefined : (split(raw).forget ?? null);
}

/**
 * Writes the province's bucket count the first time, and refuses to go on when Redis holds
 * another: the cases written under it would not be found.
 */
export async function checkCaseLayout(redis: RedisClient, keys: Keys): Promise<void> {
  const n = caseBuckets(keys.tag);
  await redis.hsetnx(keys.caseBucketLayout, 'b', n);
  const stored = Number(await redis.hget(keys.caseBucketLayout, 'b'));
  if (stored !== n)
    throw new Error(
      `${keys.caseBucketLayout} says the cases are in ${stored} buckets, this version puts them in ${n}: ` +
        'the count must not change once cases are written (server/aggregate/case-store.ts)',
    );
}

/** Removes every case forgotten by `now`; the number removed. */
export async function sweepCases(redis: RedisClient, keys: Keys, now: number): Promise<number> {
  return sweepBuckets(redis, keys.caseBucket, caseBuckets(keys.tag), 'c', Math.floor(now / 1000));
}

/** Sweeps every six hours, one aggregator of all a period (the lease `cssweep`); returns the stop. */
export function startCaseSweeping(o: BucketSweeping): () => Promise<void> {
  return startBucketSweeping(o, o.keys.caseSweep, (now) => sweepCases(o.redis, o.keys, now), 'forgotten cases');
}
