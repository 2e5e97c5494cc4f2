/**
 * Frozen months of the 督办考核: a region's whole reply of a finished month, written once with
 * SET NX (`asm:<region>:<YYYYMM>`, server/redis/keys.ts), so neither a late event nor a second
 * freeze (another process, a restart, the timer after a request) can change a month once frozen.
 * Stored deflated (server/redis/deflated.ts) against a dictionary of the reply's shape
 * (reply-dictionary.ts): 9 KB of JSON, 977 B deflated alone, 514 B with it (Gansu's 1,506 replies
 * of a month). Replies frozen before, deflated alone or as JSON, are still read.
 */
import type { RedisClient } from '../redis/connection.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Keys } from '../redis/keys.ts';
import { deflated, inflated } from '../redis/deflated.ts';
import { REPLY_DICTIONARY } from './reply-dictionary.ts';

const FREEZE = defineLua(
  'assessmentFreeze',
  `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('SET', k, ARGV[i + 1], 'NX', 'EX', ARGV[1]) then n = n + 1 end
end
return n`,
);

/** Freezes these replies of `month`; regions already frozen keep theirs. Returns how many were written. */
export async function freezeReplies(
  redis: RedisClient,
  keys: Keys,
  month: string,
  replies: readonly AssessmentReply[],
): Promise<number> {
  if (replies.length === 0) return 0;
  const ks = replies.map((r) => keys.assessment(r.region.code, month));
  // Kept as long as the month counters they were computed from.
  return runLua<number>(redis, FREEZE, ks, [
    RETENTION.monthTtlS,
    ...replies.map((r) => deflated(JSON.stringify({ ...r, provisional: false }), REPLY_DICTIONARY)),
  ]);
}

/** Frozen replies of these regions for `month` (absent ones undefined). */
export async function readFrozen(
  redis: RedisClient,
  keys: Keys,
  month: string,
  codes: readonly string[],
): Promise<(AssessmentReply | undefined)[]> {
  if (codes.length === 0) return [];
  const raws = await redis.mgetBuffer(...codes.map((c) => keys.assessment(c, month)));
  return raws.map((raw) => (raw ? (JSON.parse(inflated(raw, REPLY_DICTIONARY)) as AssessmentReply) : undefined));
}
