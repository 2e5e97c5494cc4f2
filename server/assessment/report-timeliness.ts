/**
 * 上报及时率 (reporting timeliness) per region and Beijing month, one of the 督办考核 figures:
 * counted in the aggregator's commit from the events it applies (reportCounter, handed to the
 * pipeline by the composition roots) and from the 失联 episodes the silence rule finds (the
 * warnings engine calls recordEpisode through its `reports` hook).
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
import type { RedisClient } from '../redis/connection.ts';
import { provinceAncestry } from '../../shared/regions.ts';
import type { TimelinessFigures } from '../../shared/schemas/timeliness.ts';
import { RETENTION } from '../counters/retention.ts';
import type { Keys } from '../redis/keys.ts';
import { buckets } from '../time/beijing.ts';
import type { EventCounter } from '../aggregate/apply.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import { execBySlot } from '../redis/by-slot.ts';
import { streamTime } from '../aggregate/stream-time.ts';
import type { TimelinessConfig } from '../warnings/config.ts';

export { TIMELINESS_FORMULA } from '../../shared/schemas/timeliness.ts';

type TimelinessKeys = Pick<Keys, 'timeliness' | 'timelinessEpisode'>;
/** One province's keys, or the keys of each region's province (a national deployment). */
type KeysFor = TimelinessKeys | ((region: string) => TimelinessKeys);

/** An episode marker outlives any silence the rule can still see (its baseline is days, not weeks). */
const EPISODE_TTL_S = 40 * 86_400;

/** The fields an event of each kind counts in: reported, and reported late. */
const FIELDS_OF = { incident: ['n:i', 'late:i'], dispute: ['n:d', 'late:d'] } as const;
/** Regions whose counter keys reportCounter keeps at once (a province has up to ~20,000 villages). */
const REGIONS_KEPT = 50_000;

/** Province to township: the regions whose counters an event or episode in `region` adds to. */
export function timelinessRegions(region: string): string[] {
  return provinceAncestry(region.slice(0, 9));
}

/**
 * A report's counts, for the aggregator to write in the same commit as the event's other counts
 * (it calls this once for each event applied for the first time), so a crash of the aggregator
 * can neither lose nor repeat a report. An event without a receivedAt or a stream time is not
 * judged.
 */
export function reportCounter(keys: TimelinessKeys, cfg: TimelinessConfig): EventCounter {
  // The counter keys of a region's events in a month, built once: this runs for every event the
  // aggregator applies, and building four key names and an ancestry per event was ~4 % of its
  // garbage (heap profile, docs/benchmarks.md). Bounded: a month's regions, at most REGIONS_KEPT.
  let month = '';
  let byRegion = new Map<string, string[]>();
  const counterKeys = (region: string, m: string): string[] => {
    if (m !== month || byRegion.size >= REGIONS_KEPT) {
      month = m;
      byRegion = new Map();
    }
    let ks = byRegion.get(region);
    if (!ks) byRegion.set(region, (ks = timelinessRegions(region).map((r) => keys.timeliness(r, m))));
    return ks;
  };
  return ({ event: e, entryId }, add) => {
    const receivedAt = e.receivedAt ?? streamTime(entryId);
    if (receivedAt === undefined) return;
    const [reported, late] = FIELDS_OF[e.kind];
    const isLate = receivedAt - e.ts > cfg.limitMinutes[e.kind] * 60_000;
    for (const key of counterKeys(e.region, buckets(receivedAt).month)) {
      add(key, reported, 1);
      if (isLate) add(key, late, 1);
    }
  };
}

const EPISODE_SCRIPT = defineLua(
  'timelinessEpisode',
  `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'sil', 1)
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
  return 1
end
return 0`,
);

/**
 * Counts a 失联 episode against `region` (and every region above it) in the month of `now`, once
 * per episode id: the marker and the counters change in one script. True when it was new.
 */
export async function recordEpisode(
  redis: RedisClient,
  keys: TimelinessKeys,
  episode: { id: string; region: string },
  now: number,
): Promise<boolean> {
  const month = buckets(now).month;
  const ks = [
    keys.timelinessEpisode(episode.id),
    ...timelinessRegions(episode.region).map((r) => keys.timeliness(r, month)),
  ];
  return (await runLua<number>(redis, EPISODE_SCRIPT, ks, [EPISODE_TTL_S, RETENTION.monthTtlS])) === 1;
}

/** What the warnings engine and the aggregator are handed when 上报及时率 is enabled (see setupAlerting). */
export interface ReportHooks {
  countEvent: EventCounter;
  episode(e: { id: string; region: string }, now: number): Promise<unknown>;
}

/** setupAlerting's `reports` option: nothing when the rules file disables 上报及时率. */
export function reportsOption(
  redis: RedisClient,
  keys: TimelinessKeys,
  cfg: TimelinessConfig,
): { reports?: ReportHooks } {
  if (!cfg.enabled) return {};
  return { reports: { countEvent: reportCounter(keys, cfg), episode: (e, now) => recordEpisode(redis, keys, e, now) } };
}

const FIELDS = ['n:i', 'late:i', 'n:d', 'late:d', 'sil'] as const;

/** The figures of one region and month `YYYYMM` (zeros when nothing was counted). */
export async function readTimeliness(
  redis: RedisClient,
  keys: KeysFor,
  region: string,
  month: string,
  /** The regions whose counters add up to `region`'s: the provinces, for the nation. */
  parts: readonly string[] = [region],
): Promise<TimelinessFigures> {
  return (await readTimelinessMany(redis, keys, [parts], month))[0]!;
}

/**
 * The figures of several regions of one month, in one round trip: each is the sum of its parts'
 * counters (a region is its own one part; the nation is its provinces).
 */
export async function readTimelinessMany(
  redis: RedisClient,
  keys: KeysFor,
  /** Each region as its code, or as the codes of its parts. */
  regions: readonly (string | readonly string[])[],
  month: string,
): Promise<TimelinessFigures[]> {
  if (regions.length === 0) return [];
  const keysOf = typeof keys === 'function' ? keys : () => keys;
  const partsOf = (r: string | readonly string[]) => (typeof r === 'string' ? [r] : r);
  const replies = await execBySlot(
    redis,
    regions.flatMap((region) => partsOf(region).map((r) => keysOf(r).timeliness(r, month))),
    (p, key) => p.hmget(key, ...FIELDS),
  );
  let at = 0;
  return regions.map((region) => {
    const parts = partsOf(region);
    const sums = [0, 0, 0, 0, 0];
    for (let n = 0; n < parts.length; n++) {
      const v = replies[at++]!;
      (v as (string | null)[]).forEach((x, k) => (sums[k] = sums[k]! + Number(x ?? 0)));
    }
    const [ni, li, nd, ld, sil] = sums as [number, number, number, number, number];
    return timelinessFigures({ incident: { reports: ni, late: li }, dispute: { reports: nd, late: ld } }, sil);
  });
}

/** The formula of the module's header, from the counters. */
export function timelinessFigures(byKind: TimelinessFigures['byKind'], silences: number): TimelinessFigures {
  const reports = byKind.incident.reports + byKind.dispute.reports;
  const late = byKind.incident.late + byKind.dispute.late;
  const onTime = reports - late;
  const denominator = reports + silences;
  return { reports, late, silences, onTime, rate: denominator > 0 ? onTime / denominator : null, byKind };
}
