/**
 * The import ledger: what of one file (named by its SHA-256) is already counted. One hash per
 * province (its own hash tag): `c:<chunk>` for each chunk whose counters that province committed,
 * written in the same MULTI as those counters, so a chunk is either counted with its mark or not at
 * all. The root's ledger also holds `now`, the reference time of the file's first run (every later
 * run decides with it what is history and what is kept, so it computes the very same chunks), and
 * `done` once every chunk is in. A few fields per file: nothing per event.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../redis/connection.ts';
import type { KeyRing } from '../redis/keys.ts';
import { RETENTION } from '../counters/retention.ts';

/** Kept as long as the month counters it guards, and a month more. */
const LEDGER_TTL_S = RETENTION.monthTtlS + 31 * 86_400;

export interface LedgerStart {
  /** The reference time of the file's first run (ms). */
  now: number;
  /** An earlier run of the file began (and `now` is its reference time). */
  resumed: boolean;
  /** Set when an earlier run finished: the ISO time it did. */
  done?: string;
}

export class ImportLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly ring: KeyRing,
    private readonly digest: string,
  ) {}

  private key(province: string): string {
    return this.ring.of(province).importLedger(this.digest);
  }

  private get rootKey(): string {
    return this.ring.root.importLedger(this.digest);
  }

  /** Records `now` unless an earlier run did; returns the one that counts. */
  async begin(now: number, meta: Record<string, string | number>): Promise<LedgerStart> {
    const key = this.rootKey;
    const [[, set], , [, stored]] = (await this.redis
      .multi()
      .hsetnx(key, 'now', now)
      .hset(key, meta)
      .hmget(key, 'now', 'done')
      .expire(key, LEDGER_TTL_S)
      .exec()) as [[null, number], unknown, [null, (string | null)[]]];
    const [n, done] = stored;
    return { now: Number(n), resumed: set === 0, ...(done ? { done } : {}) };
  }

  /** The chunks `province` has committed. */
  async committed(province: string): Promise<Set<number>> {
    const fields = await this.redis.hkeys(this.key(province));
    return new Set(fields.filter((f) => f.startsWith('c:')).map((f) => Number(f.slice(2))));
  }

  /** Queues the mark of `chunk` in `province`'s ledger, inside that province's MULTI. */
  mark(tx: ChainableCommander, province: string, chunk: number, summary: string): void {
    const key = this.key(province);
    tx.hset(key, `c:${chunk}`, summary);
    tx.expire(key, LEDGER_TTL_S);
  }

  async finish(at: number): Promise<void> {
    await this.redis.hset(this.rootKey, 'done', new Date(at).toISOString());
  }
}
