import type { ChainableCommander } from 'ioredis';
import type { CounterDeltas } from '../aggregate/contribution.ts';
import { bucketTtlS } from '../counters/retention.ts';

/**
 * Queues a chunk's summed counters of history into `tx` (one province's MULTI): one HINCRBY per
 * (key, field), then the key's expiry counted from when its bucket ended, the live commit's own
 * rule (bucketTtlS): a TTL by the server's clock at `nowMs`, so live data and history of a bucket
 * go together. Returns the number of fields queued.
 */
export function queueHistoryCounters(tx: ChainableCommander, deltas: CounterDeltas, nowMs: number): number {
  let n = 0;
  for (const [key, h] of deltas.hashes) {
    // History has closed cases only (open ones go the live way), so it never writes the backlog.
    if (h.retention === '') throw new Error(`history import: ${key} has no bucket to expire by`);
    let any = false;
    for (const [field, d] of h.fields) {
      if (d === 0) continue;
      tx.hincrby(key, field, d);
      any = true;
      n++;
    }
    if (!any) continue;
    tx.expire(key, bucketTtlS(h.bucket, nowMs));
  }
  return n;
}
