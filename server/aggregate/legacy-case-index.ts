import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import type { Logger } from '../log.ts';
import { scanKeys } from '../redis/scan.ts';
import { readCases } from './case-store.ts';
import { indexMember, memberCaseId, type IndexKind } from './case-index.ts';
import { RETENTION } from '../counters/retention.ts';
import { dayNumber } from '../time/beijing.ts';

/** Case-index layout written now: county sets only, members `<place>:<id>`, closed ones by day. */
const LAYOUT = '5';
/** County sets only, members `<place>:<id>`, a county's closed cases of a kind in one set. */
const COUNTY_SETS = '4';
/** The layout of 2026-12-05's first change: province, city and county sets, county members `<place>:<id>`. */
const THREE_LEVELS = '3';
const CHUNK = 500;

/**
 * Converts an older case index once per Redis: every set but the counties' is deleted (province
 * and city lists are now merged from the county sets, township and village lists filtered from
 * them), and, in an index written before 2026-12-05 (five levels, bare case ids everywhere), each
 * county member is renamed `<place>:<id>` from its case's region, score unchanged. Open cases are
 * indexed for as long as they stay open, so the index cannot just be left to expire. Idempotent (a
 * member already in the new shape is recognised by its case), so processes starting together may
 * all run it; until it has run a township's list may miss cases of old members. From the
 * three-level layout the county sets are already complete: only the upper sets go. Last, each
 * county's closed set is split into its days' sets (case-index.ts).
 */
export async function convertCaseIndex(
  redis: RedisClient,
  keys: Keys,
  logger: Logger,
  now = Date.now(),
): Promise<void> {
  const layout = await redis.get(keys.caseIndexLayout);
  if (layout === LAYOUT) return;
  const head = `${keys.prefix}cx:`;
  let renamed = 0;
  let dropped = 0;
  let split = 0;
  for await (const found of scanKeys(redis, `${head}*`, 1000)) {
    for (const key of found) {
      // `<county>:<kind><state>`; a day's set (`…:<kind>c:<day>`) is already in the new layout.
      const [set = '', sets, day] = key.slice(head.length).split(':');
      if (day !== undefined) continue;
      if (layout !== COUNTY_SETS && set.length !== 6) {
        await redis.unlink(key);
        dropped++;
        continue;
      }
      if (layout !== COUNTY_SETS && layout !== THREE_LEVELS) renamed += await renameMembers(redis, keys, key);
      if (sets?.endsWith('c')) split += await splitByDay(redis, keys, key, set, sets[0] as IndexKind, now);
    }
  }
  await redis.set(keys.caseIndexLayout, LAYOUT);
  if (renamed || dropped || split)
    logger.info({ renamed, dropped, split }, 'case index converted: county sets, closed cases by day');
}

/**
 * Moves a county's closed set into its days' sets (2026-12-06), each given the TTL its cases'
 * commit would have given it, and deletes it; returns how many members moved. A member moved
 * twice (two processes converting at once) is the same member in the same day's set.
 */
async function splitByDay(redis: RedisClient, keys: Keys, key: string, county: string, kind: IndexKind, now: number) {
  const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
  const nowS = now / 1000;
  for (let i = 0; i < flat.length; i += CHUNK * 2) {
    const tx = redis.multi();
    for (let j = i; j < Math.min(flat.length, i + CHUNK * 2); j += 2) {
      const score = Number(flat[j + 1]);
      const day = keys.caseIndexDay(county, kind, dayNumber(score));
      tx.zadd(day, score, flat[j]!).expire(day, Math.max(1, Math.floor(score / 1000 + RETENTION.caseIndexTtlS - nowS)));
    }
    await tx.exec();
  }
  await redis.unlink(key);
  return flat.length / 2;
}

/** Renames the bare members of one county set; returns how many. */
async function renameMembers(redis: RedisClient, keys: Keys, key: string): Promise<number> {
  const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
  let renamed = 0;
  for (let i = 0; i < flat.length; i += CHUNK * 2) {
    const part = flat.slice(i, i + CHUNK * 2);
    const members = part.filter((_, j) => j % 2 === 0);
    // A member is either a bare id (old) or `<place>:<id>` (new): read both cases it could name.
    const cases = await readCases(redis, keys, [...members, ...members.map(memberCaseId)], Date.now());
    const tx = redis.multi();
    let ops = 0;
    members.forEach((m, j) => {
      const bare = cases.get(m)?.state;
      const placed = cases.get(memberCaseId(m))?.state;
      if (placed && indexMember(memberCaseId(m), placed.r) === m) return;
      if (!bare) return;
      tx.zadd(key, part[2 * j + 1]!, indexMember(m, bare.r)).zrem(key, m);
      ops++;
    });
    if (ops) await tx.exec();
    else tx.discard();
    renamed += ops;
  }
  return renamed;
}
