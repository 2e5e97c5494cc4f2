/**
 * What a restart needs so that no lifecycle is left half-done, next to the state hash:
 *  - `…:sim:windows`: the record of each window (window.ts) that still has a step to deliver,
 *    scored by its latest delivery time (real ms);
 *  - `…:sim:pending`: its arrivals that still have a step to deliver, `<window seq>:<arrival>:<first
 *    case number>`, scored by their latest delivery;
 *  - `sent` in the state hash: every step due at or before this instant has been handed to ingest.
 * Both sets are trimmed up to `sent` as it moves on, so they hold about as many arrivals as the
 * in-memory queue holds steps (a few tens of thousands at the default rates), not history.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { SimKeys } from './state.ts';
import type { WindowRecord } from './window.ts';

export interface PendingArrival {
  /** The `seq` of its window. */
  window: number;
  g: number;
  /** Case number of its first case. */
  seq: number;
  last: number;
}

export interface LedgerEntry {
  window: WindowRecord;
  arrivals: readonly Omit<PendingArrival, 'window'>[];
}

export interface LedgerContents {
  /** Undefined before the first backfill or live tick recorded one. */
  sentThrough: number | undefined;
  windows: Map<number, WindowRecord>;
  pending: PendingArrival[];
}

/** ZADD arguments per command, so a backfill's few tens of thousands do not make one giant call. */
const ZADD_CHUNK = 5_000;

/** The record in a fixed field order, so recording the same window twice adds one member, not two. */
function encodeWindow(w: WindowRecord): string {
  const { seed, seq, arrivals, cases, from, to, anchor, speed, rates } = w;
  return JSON.stringify({ seed, seq, arrivals, cases, from, to, anchor, speed, rates });
}

export class Ledger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: SimKeys,
  ) {}

  /** Records windows and their arrivals with steps to come; call before queueing any of them. */
  async record(entries: readonly LedgerEntry[]): Promise<void> {
    const members: (string | number)[] = [];
    const tx = this.redis.multi();
    for (const { window, arrivals } of entries) {
      if (arrivals.length === 0) continue;
      tx.zadd(this.keys.windows, Math.max(...arrivals.map((a) => a.last)), encodeWindow(window));
      for (const a of arrivals) members.push(a.last, `${window.seq}:${a.g}:${a.seq}`);
    }
    for (let i = 0; i < members.length; i += 2 * ZADD_CHUNK) {
      tx.zadd(this.keys.pending, ...members.slice(i, i + 2 * ZADD_CHUNK));
    }
    await exec(tx);
  }

  /** Everything due up to `sentThrough` has been sent: remember it and forget what is finished. */
  async advance(sentThrough: number): Promise<void> {
    await exec(
      this.redis
        .multi()
        .hset(this.keys.state, 'sent', String(sentThrough))
        .zremrangebyscore(this.keys.windows, '-inf', String(sentThrough))
        .zremrangebyscore(this.keys.pending, '-inf', String(sentThrough)),
    );
  }

  /** The windows and arrivals that still have a step after `sent`. */
  async load(): Promise<LedgerContents> {
    const raw = await this.redis.hget(this.keys.state, 'sent');
    const sentThrough = raw === null ? undefined : Number(raw);
    const min = sentThrough === undefined ? '-inf' : `(${sentThrough}`;
    const [windows, pending] = await Promise.all([
      this.redis.zrangebyscore(this.keys.windows, min, '+inf'),
      this.redis.zrangebyscore(this.keys.pending, min, '+inf', 'WITHSCORES'),
    ]);
    const out: LedgerContents = { sentThrough, windows: new Map(), pending: [] };
    for (const json of windows) {
      const w = JSON.parse(json) as WindowRecord;
      out.windows.set(w.seq, w);
    }
    for (let i = 0; i < pending.length; i += 2) {
      const [window, g, seq] = pending[i]!.split(':').map(Number) as [number, number, number];
      out.pending.push({ window, g, seq, last: Number(pending[i + 1]) });
    }
    return out;
  }
}

/** MULTI reports a failed command in its results rather than by throwing. */
async function exec(tx: ReturnType<RedisClient['multi']>): Promise<void> {
  const results = await tx.exec();
  if (!results) throw new Error('simulator ledger transaction aborted');
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0]!;
}
