/**
 * 上报及时率 (reporting timeliness) per region and Beijing month, kept by the warnings layer from
 * the events it is handed and the 失联 episodes its silence rule finds.
 *
 *   上报及时率 = 按时上报 ÷ (上报总数 + 失联次数)
 *
 * - 上报总数: events received in the month (Beijing, by the time ingest took them) in the region's
 *   subtree, each lifecycle event a report of its own.
 * - 按时上报: those received within the limit of their kind after they occurred
 *   (`receivedAt − occurredAt ≤ limitMinutes`, e.g. 30 min for incidents, 24 h for disputes).
 * - 失联次数: 失联 episodes of the region or below, first found in the month; each counts as one
 *   report that came late (it adds to the denominator only). A source system's episode counts
 *   against the region the source is bound to.
 *
 * Counters are kept for the province, cities, counties and townships: an event or an episode
 * counts at its own region (down to the township) and at every region above it, so a city's and
 * the province's figures are the sums of their subtrees. An event is counted when it is first
 * applied (codes N and U): a redelivered event (D) was counted the first time, so the counters
 * stay exact under the aggregator's at-least-once delivery; and in the aggregator's own commit, so
 * they stay exact through its crashes too.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { provinceAncestry } from '../../shared/regions.ts';
import type { TimelinessFigures } from '../../shared/schemas/timeliness.ts';
import { RETENTION } from '../counters/retention.ts';
import { buckets } from '../time/beijing.ts';
import type { WarningKeys } from './keys.ts';
import type { EventCounter } from '../aggregate/apply.ts';

const limit = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);

export const timelinessSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** A report is on time when received at most this many minutes after it occurred, per kind. */
  limitMinutes: z.strictObject({ incident: limit, dispute: limit }).default({ incident: 30, dispute: 1440 }),
});
export type TimelinessConfig = z.infer<typeof timelinessSchema>;
export const DEFAULT_TIMELINESS: TimelinessConfig = { enabled: true, limitMinutes: { incident: 30, dispute: 1440 } };

/** The formula as the screens and explanations say it. */
export const TIMELINESS_FORMULA = '上报及时率 = 按时上报 ÷ (上报总数 + 失联次数)';

/** An episode marker outlives any silence the rule can still see (its baseline is days, not weeks). */
const EPISODE_TTL_S = 40 * 86_400;

/** Province to township: the regions whose counters an event or episode in `region` adds to. */
export function timelinessRegions(region: string): string[] {
  return provinceAncestry(region.slice(0, 9));
}

/** The time of a stream entry id (`1732430000000-0`), or undefined for '' and anything else. */
export function streamTime(entryId: string): number | undefined {
  const ms = Number(entryId.split('-')[0]);
  return entryId && Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

/**
 * A report's counts, for the aggregator to write in the same commit as the event's other counts
 * (it calls this once for each event applied for the first time), so a crash of the aggregator
 * can neither lose nor repeat a report. An event without a receivedAt or a stream time is not
 * judged.
 */
export function reportCounter(wkeys: WarningKeys, cfg: TimelinessConfig): EventCounter {
  return ({ event: e, entryId }, add) => {
    const receivedAt = e.receivedAt ?? streamTime(entryId);
    if (receivedAt === undefined) return;
    const k = e.kind === 'incident' ? 'i' : 'd';
    const late = receivedAt - e.ts > cfg.limitMinutes[e.kind] * 60_000;
    const month = buckets(receivedAt).month;
    for (const r of timelinessRegions(e.region)) {
      const key = wkeys.timeliness(r, month);
      add(key, `n:${k}`, 1);
      if (late) add(key, `late:${k}`, 1);
    }
  };
}

const EPISODE_LUA = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'sil', 1)
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
  return 1
end
return 0`;

/**
 * Counts a 失联 episode against `region` (and every region above it) in the month of `now`, once
 * per episode id: the marker and the counters change in one script. True when it was new.
 */
export async function recordEpisode(
  redis: Redis,
  wkeys: WarningKeys,
  episode: { id: string; region: string },
  now: number,
): Promise<boolean> {
  if (!('pinganTimelinessEpisode' in redis)) redis.defineCommand('pinganTimelinessEpisode', { lua: EPISODE_LUA });
  const month = buckets(now).month;
  const keys = [
    wkeys.silenceEpisode(episode.id),
    ...timelinessRegions(episode.region).map((r) => wkeys.timeliness(r, month)),
  ];
  const run = (redis as unknown as Record<string, (...a: unknown[]) => Promise<number>>).pinganTimelinessEpisode!;
  return (await run.call(redis, keys.length, ...keys, EPISODE_TTL_S, RETENTION.monthTtlS)) === 1;
}

/** The figures of one region and month `YYYYMM` (zeros when nothing was counted). */
export async function readTimeliness(
  redis: Redis,
  wkeys: WarningKeys | ((region: string) => WarningKeys),
  region: string,
  month: string,
  /** The regions whose counters add up to `region`'s: the provinces, for the nation. */
  parts: readonly string[] = [region],
): Promise<TimelinessFigures> {
  const keysOf = typeof wkeys === 'function' ? wkeys : () => wkeys;
  const sums = [0, 0, 0, 0, 0];
  for (const r of parts) {
    const vals = await redis.hmget(keysOf(r).timeliness(r, month), 'n:i', 'late:i', 'n:d', 'late:d', 'sil');
    vals.forEach((v, i) => (sums[i] = sums[i]! + Number(v ?? 0)));
  }
  const [ni, li, nd, ld, sil] = sums as [number, number, number, number, number];
  return timelinessFigures({ incident: { reports: ni, late: li }, dispute: { reports: nd, late: ld } }, sil);
}

/** The formula of the module's header, from the counters. */
export function timelinessFigures(byKind: TimelinessFigures['byKind'], silences: number): TimelinessFigures {
  const reports = byKind.incident.reports + byKind.dispute.reports;
  const late = byKind.incident.late + byKind.dispute.late;
  const onTime = reports - late;
  const denominator = reports + silences;
  return { reports, late, silences, onTime, rate: denominator > 0 ? onTime / denominator : null, byKind };
}
