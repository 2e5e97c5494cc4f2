import type { ChainableCommander } from 'ioredis';
import type { Keys } from '../redis/keys.ts';
import { lowDayMarginals, type Hash } from '../aggregate/low-level.ts';

/**
 * Queues, on a pipeline, the read of a region's day fields (`i`, `d`, `h:9:i`, `q:108:i` …) whatever
 * the level: an HMGET on the county-and-above day hash, or the township's combination hash summed
 * into the same marginals (server/aggregate/low-level.ts). Returns how to decode its reply: the
 * values of `i`, `d`, then `fields`, null where the region had none that day.
 */
export function queueDayRead(
  tx: ChainableCommander,
  keys: Keys,
  code: string,
  day: number,
  fields: string[],
): (reply: unknown) => (string | null)[] {
  if (code.length <= 6) {
    tx.hmget(keys.day(code, day), 'i', 'd', ...fields);
    return (reply) => (reply as (string | null)[] | null) ?? [];
  }
  tx.hgetall(keys.lowDay(code.slice(0, 9), day));
  return (reply) => {
    const m = lowDayMarginals((reply as Hash | null) ?? {}, code);
    return ['i', 'd', ...fields].map((f) => (m[f] ? String(m[f]) : null));
  };
}
