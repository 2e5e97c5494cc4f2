import type { RedisClient } from '../redis/connection.ts';
import type { SilenceView } from '../../shared/alert-machine.ts';
import { isWithin } from '../../shared/regions.ts';
import type { Clock } from '../clock.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { AlertKeys } from './keys.ts';

interface Stored {
  reason: string;
  by: string;
  until: number;
}

/**
 * A rule silenced for a region's subtree, with a reason and an expiry (the key expires with it, so
 * a forgotten silence ends by itself). The raise script checks the keys of every ancestor.
 */
export class Silences {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AlertKeys,
    private readonly clock: Clock,
  ) {}

  async set(s: { rule: string; region: string; reason: string; by: string; minutes: number }): Promise<SilenceView> {
    const now = this.clock.now();
    const until = now + s.minutes * 60_000;
    const value: Stored = { reason: s.reason, by: s.by, until };
    // PX from our clock rather than PXAT: RedisClient's own clock must not decide when a silence ends.
    await this.redis
      .multi()
      .set(this.keys.silence(s.rule, s.region), JSON.stringify(value), 'PX', until - now)
      .zadd(this.keys.silences, until, `${s.rule}|${s.region}`)
      .zremrangebyscore(this.keys.silences, '-inf', now)
      .exec();
    return { rule: s.rule, region: s.region, reason: s.reason, by: s.by, until: isoBeijing(until) };
  }

  async clear(rule: string, region: string): Promise<boolean> {
    const [[, n] = []] =
      (await this.redis
        .multi()
        .del(this.keys.silence(rule, region))
        .zrem(this.keys.silences, `${rule}|${region}`)
        .exec()) ?? [];
    return n === 1;
  }

  /** Active silences on `region`'s subtree or on its ancestors (both change what it sees). */
  async list(region: string): Promise<SilenceView[]> {
    const members = await this.redis.zrangebyscore(this.keys.silences, this.clock.now(), '+inf');
    const relevant = members
      .map((m) => m.split('|') as [string, string])
      .filter(([, r]) => isWithin(r, region) || isWithin(region, r));
    if (!relevant.length) return [];
    const values = await this.redis.mget(relevant.map(([rule, r]) => this.keys.silence(rule, r)));
    const out: SilenceView[] = [];
    relevant.forEach(([rule, r], i) => {
      const raw = values[i];
      if (!raw) return;
      const v = JSON.parse(raw) as Stored;
      out.push({ rule, region: r, reason: v.reason, by: v.by, until: isoBeijing(v.until) });
    });
    return out;
  }
}
