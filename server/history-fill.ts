/**
 * History still arriving. A source that backfills (the demo's simulator fills the last complete
 * month after going live) says so here, and a month its history reaches is not final meanwhile:
 * the monthly timer does not freeze it, and neither the 督办考核 nor the 平安指数 publish it on a
 * request; they answer with figures computed as of now. Without this, the timer froze November on
 * its second look, from the two days of it the backfill had sent by then, for good.
 *
 * One key (`histfill`, server/redis/keys.ts): the epoch ms the history starts from. It lives a day
 * unless renewed, so a fill abandoned for good (the simulator switched off halfway) does not stop
 * the months from being frozen for ever; a fill that resumes after a restart sets it again first.
 */
import type { RedisClient } from './redis/connection.ts';
import { buckets } from './time/beijing.ts';

const TTL_S = 24 * 3600;
/** Readers look at most once a second: the freeze, a report and the index all ask. */
const READ_EVERY_MS = 1_000;

export class HistoryFill {
  private read: { at: number; from: number | undefined } | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** History from `from` (epoch ms) is on its way. Renewing it is as cheap as setting it. */
  async mark(from: number): Promise<void> {
    await this.redis.set(this.key, String(Math.floor(from)), 'EX', TTL_S);
    this.read = undefined;
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
    this.read = undefined;
  }

  /** Where the history under way starts, if any. */
  async since(): Promise<number | undefined> {
    const now = this.now();
    if (this.read && now - this.read.at < READ_EVERY_MS) return this.read.from;
    const raw = await this.redis.get(this.key);
    this.read = { at: now, from: raw === null ? undefined : Number(raw) };
    return this.read.from;
  }

  /** Whether month `YYYYMM` may still receive history (one under way starts in it or before). */
  async filling(month: string): Promise<boolean> {
    const from = await this.since();
    return from !== undefined && buckets(from).month <= month;
  }
}
