import { crc32 } from 'node:zlib';
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import { bucketsByPopulation } from '../regions/population.ts';
import { startBucketSweeping, sweepBuckets, type BucketSweeping } from '../redis/bucket-sweep.ts';
import { warningKeys, type WarningKeys } from './keys.ts';
import { luaKeys, runLua } from '../redis/lua.ts';
import { FIRST_SEVERITY_SCRIPT } from '../redis/scripts.ts';
import type { RuleEnv } from './types.ts';

/**
 * The warning rules' small records (the cases a party appeared in within a rule's window, a
 * dispute's first severity) are fields of the province's rule buckets (`wb:<n>`, chosen by a
 * CRC-32 of the field): as keys of their own they were 181,529 sorted sets of ≈ 132 B and 82,546
 * hashes of ≈ 88 B for 62 days of Gansu, each with ≈ 80 B more in Redis's key and expiry tables
 * (docs/capacity.md). A value starts with the second it may go (`<epoch s>|…`): Redis 7.0 cannot
 * expire a hash field, so every reader (party-cases.lua, first-severity.lua) treats it as gone
 * from then, and one aggregator of all sweeps the buckets every six hours.
 */

/** About 50 records a bucket at Gansu's steady state. Stored data: changing it strands records. */
const PEOPLE_PER_BUCKET = 5_000;

/** How many rule buckets a province has. */
export const ruleBuckets = (province: string) => bucketsByPopulation(province, PEOPLE_PER_BUCKET);

/** The field of a party's cases for a rule: `d` disputes (homicide risk), `p` petitions (repeat). */
export const partyField = (kind: 'd' | 'p', party: string) => `p:${kind}:${party}`;
/** The field of a dispute case's first severity. */
export const severityField = (caseId: string) => `s:${caseId}`;

/** The bucket that holds `field`. */
export const ruleBucket = (keys: Keys, wkeys: WarningKeys, field: string) =>
  wkeys.ruleBucket(crc32(field) % ruleBuckets(keys.tag));

/** How long a case's first severity is kept after its latest watched event (s). */
const SEVERITY_KEPT_S = 45 * 86_400;

/**
 * The first severity seen of each event's dispute case, in order, recording this event's where
 * its case has none (first-severity.lua); kept 45 days after the case's latest watched event.
 */
export async function firstSeverities(
  env: Pick<RuleEnv, 'redis' | 'keys' | 'wkeys' | 'clock'>,
  events: readonly { caseId: string; severity: number; ts: number }[],
): Promise<number[]> {
  const { keys, index } = luaKeys();
  const args = events.flatMap((e) => {
    const field = severityField(e.caseId);
    return [
      index(ruleBucket(env.keys, env.wkeys, field)),
      field,
      index(env.wkeys.legacyCaseSeverity(e.caseId)),
      e.severity,
      Math.floor(e.ts / 1000) + SEVERITY_KEPT_S,
    ];
  });
  const firsts = await runLua<string[]>(env.redis, FIRST_SEVERITY_SCRIPT, keys, [
    Math.floor(env.clock.now() / 1000),
    ...args,
  ]);
  return firsts.map(Number);
}

/** Removes every record forgotten by `now`; the number removed. */
export function sweepRuleBuckets(redis: RedisClient, keys: Keys, now: number): Promise<number> {
  const wkeys = warningKeys(keys);
  return sweepBuckets(redis, wkeys.ruleBucket, ruleBuckets(keys.tag), 'r', Math.floor(now / 1000));
}

/** Sweeps every six hours, one aggregator of all a period (the lease `wbsweep`); returns the stop. */
export function startRuleBucketSweeping(o: BucketSweeping): () => Promise<void> {
  const lease = warningKeys(o.keys).ruleSweep;
  return startBucketSweeping(o, lease, (now) => sweepRuleBuckets(o.redis, o.keys, now), 'warning rules’ records');
}
