/**
 * The simulator's small persistent state, one Redis hash per province (`pa:{62}:sim:state`):
 *  - `seq`: high-water mark of case numbers handed out. Blocks are reserved (HINCRBY) before use,
 *    so no process restart — or second process — ever reuses an id with different content.
 *  - `backfill`: the backfill's parameters (seed, first case number, window), written before the
 *    first event is sent, so an interrupted backfill is replayed identically: same ids, same
 *    content, and ingest's dedupe turns what was already sent into no-ops.
 *  - `backfillDone`: when the backfill finished; once set, restarts recover and go live.
 *  - `older`, `olderDone`: the same for the older history (older-history.ts), backfilled after
 *    going live back to the 1st of the last complete month.
 *  - `sent`: every step due at or before this instant has been handed to ingest (see ledger.ts, which
 *    keeps the two sorted sets next to this hash).
 */
import type { RedisClient } from '../redis/connection.ts';

export interface BackfillParams {
  seed: number;
  /** First case number of the backfill; it may use up to `seqCount` numbers from there. */
  seqBase: number;
  seqCount: number;
  from: number;
  to: number;
}

export function stateKey(root: string): string {
  return `pa:{${root.slice(0, 2)}}:sim:state`;
}

/** The simulator's keys: one hash tag, so one Redis Cluster slot and atomic MULTIs. */
export interface SimKeys {
  state: string;
  windows: string;
  pending: string;
}

export function simKeys(root: string): SimKeys {
  const state = stateKey(root);
  const base = state.slice(0, -'state'.length);
  return { state, windows: `${base}windows`, pending: `${base}pending` };
}

export class SimState {
  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
  ) {}

  async backfillDone(): Promise<boolean> {
    return (await this.redis.hexists(this.key, 'backfillDone')) === 1;
  }

  /** Also sets `sent`: a complete backfill has sent everything due up to `sentThrough`. */
  async markBackfillDone(now: number, sentThrough = now): Promise<void> {
    await this.redis.hset(this.key, 'backfillDone', String(now), 'sent', String(sentThrough));
  }

  /** Reserves `n` case numbers and returns the first. */
  async reserve(n: number): Promise<number> {
    const end = await this.redis.hincrby(this.key, 'seq', n);
    return end - n + 1;
  }

  /**
   * The backfill to run: the one recorded by an earlier, interrupted start, or `fresh()` recorded
   * now. HSETNX settles a race between two starting processes on one plan.
   */
  async backfillParams(fresh: () => Promise<BackfillParams>, field = 'backfill'): Promise<BackfillParams> {
    const stored = await this.redis.hget(this.key, field);
    if (stored) return JSON.parse(stored) as BackfillParams;
    const params = await fresh();
    await this.redis.hsetnx(this.key, field, JSON.stringify(params));
    return JSON.parse((await this.redis.hget(this.key, field))!) as BackfillParams;
  }

  /** The recorded parameters of the (recent) backfill, if one ran. */
  async recordedBackfill(): Promise<BackfillParams | undefined> {
    const stored = await this.redis.hget(this.key, 'backfill');
    return stored ? (JSON.parse(stored) as BackfillParams) : undefined;
  }

  async olderDone(): Promise<boolean> {
    return (await this.redis.hexists(this.key, 'olderDone')) === 1;
  }

  async markOlderDone(now: number): Promise<void> {
    await this.redis.hset(this.key, 'olderDone', String(now));
  }
}
