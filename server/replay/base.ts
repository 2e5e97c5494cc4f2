import type { RedisClient } from '../redis/connection.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Keys } from '../redis/keys.ts';
import type { Logger } from '../log.ts';
import type { RegionTree } from '../regions/tree.ts';
import { runLua } from '../redis/lua.ts';
import { REPLAY_BASE_SCRIPT } from '../redis/scripts.ts';
import { RETENTION } from '../counters/retention.ts';
import { counterKey, type Bucket } from '../counters/read.ts';
import { buckets, dayNumber, dayStart } from '../time/beijing.ts';

/**
 * Replay storage, part one: a base a day. Why this shape (DESIGN.md "Walls and replay"):
 * - exact: a moment's counters are a base plus the case changes committed after it, each change
 *   applied through the aggregator's own contribution code (server/replay/read.ts); the base and the
 *   log are cut atomically by the epoch (replay-base.lua, commit.lua);
 * - cheap to write: one short record per case change inside the commit that already runs, and one
 *   copy a day of the counter hashes a snapshot reads (~1,500 owners in Gansu), instead of a
 *   snapshot per region and minute (19,000 regions × 1,440 minutes);
 * - cheap to read: a moment costs its base's few hashes and at most a day of its epoch's log;
 * - independent of the events stream, which is trimmed once consumed.
 * Memory per day is measured in docs/benchmarks.md ("replay storage").
 */

/** The regions whose counter hashes are copied: province, cities, counties and townships (which hold their villages). */
export type ReplayOwners = readonly string[];

export function replayOwners(tree: Pick<RegionTree, 'codesAt'>): ReplayOwners {
  return (['province', 'city', 'county', 'township'] as const).flatMap((l) => tree.codesAt(l));
}

/** Open alerts a base keeps at most (the demo has a few hundred open at a time). */
export const REPLAY_BASE_ALERTS = 20_000;

/** The epoch's base field holding the alerts open at its instant (AlertView[] JSON). */
export const BASE_ALERTS = '~alerts';
/** The epoch's base field holding its instant (ms). */
export const BASE_AT = '~at';

/**
 * Every bucket a snapshot at a moment of `day` (or of the days after, until the next base) reads
 * that may already hold counts at the base's instant: the day before yesterday to tomorrow (events
 * may be stamped a few minutes ahead), their months, and the open backlog. A later bucket was
 * empty at the base's instant and is rebuilt from the log alone.
 */
export function baseBuckets(day: number): Bucket[] {
  const days = [day - 2, day - 1, day, day + 1];
  const months = [...new Set(days.map((d) => buckets(dayStart(d)).month))];
  return [...days.map((d) => ({ day: d })), ...months.map((month) => ({ month })), 'open'];
}

export interface ReplayBaseOptions {
  redis: RedisClient;
  keys: Keys;
  owners: ReplayOwners;
  /** The province's open alerts, for the base (the alerts module's own reader). */
  openAlerts?: () => Promise<AlertView[]>;
  logger?: Logger;
}

/**
 * Writes the day's base before the day's first commit (the aggregator calls `ensure` before each
 * batch and sweep; a no-op within a day). Several aggregators may race at midnight: the script
 * lets one of them write it.
 */
export class ReplayBase {
  #day = -1;
  #running: Promise<void> | undefined;

  constructor(private readonly o: ReplayBaseOptions) {}

  ensure(now: number): Promise<void> {
    if (dayNumber(now) === this.#day) return Promise.resolve();
    this.#running ??= this.#write(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #write(now: number): Promise<void> {
    const { redis, keys, owners } = this.o;
    const day = dayNumber(now);
    const counterKeys: string[] = [];
    for (const code of owners) for (const b of baseBuckets(day)) counterKeys.push(counterKey(keys, code, b));
    const id = String(now);
    const copied = await runLua<number>(
      redis,
      REPLAY_BASE_SCRIPT,
      [keys.replayEpoch, keys.replayEpochs, keys.replayBase(id), ...counterKeys],
      [JSON.stringify({ id, day, ttl: RETENTION.replayTtlS, keep: now - RETENTION.replayTtlS * 1000 })],
    );
    if (copied >= 0) {
      // The alerts are read just after the cut; a change in between is in the alert log too, and
      // readers keep the newer of the two (read.ts).
      const alerts = this.o.openAlerts ? await this.o.openAlerts() : [];
      await redis.hset(keys.replayBase(id), BASE_ALERTS, JSON.stringify(alerts));
      this.o.logger?.info({ epoch: id, hashes: copied, alerts: alerts.length }, 'replay base written');
    }
    this.#day = day;
  }
}
