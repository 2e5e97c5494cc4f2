import type { Redis } from 'ioredis';
import {
  categoryField,
  channelField,
  DISPUTES,
  hourField,
  INCIDENTS,
  outcomeField,
  OVERDUE,
  OVERDUE_DISPATCH,
  OVERDUE_RESOLVE,
  statusField,
} from '../../server/counters/fields.ts';
import { counterKey } from '../../server/counters/read.ts';
import type { Keys } from '../../server/redis/keys.ts';
import { buckets } from '../../server/time/beijing.ts';
import { CHANNELS, DISPUTE_CATEGORIES, INCIDENT_CATEGORIES } from '../../shared/vocab.ts';

/**
 * Adds figures far beyond a demo day's to a region's own counters (province, city or county: the
 * layout with a hash per region), so every number a screen draws from them has 5–8 digits: today's
 * incidents and disputes, each status, category and channel, the hourly series of today and
 * yesterday, the month and its outcomes, the open backlog and its overdue counts. `scale` 1 gives
 * 8-digit headline figures; 0.001 five-digit ones. Added with HINCRBY, so the live counts the test
 * posts stay exact beneath them. Not a shape of its own: the names come from server/counters/.
 */
export async function addBigFigures(redis: Redis, keys: Keys, code: string, now: number, scale = 1): Promise<void> {
  const n = (v: number) => Math.max(10_000, Math.round(v * scale));
  const { day, month, hour } = buckets(now);
  const tx = redis.multi();
  const add = (key: string, fields: Record<string, number>) => {
    for (const [f, v] of Object.entries(fields)) tx.hincrby(key, f, v);
  };
  const dayFields = (share: number): Record<string, number> => {
    const f: Record<string, number> = {
      [INCIDENTS]: n(98_765_432 * share),
      [DISPUTES]: n(12_345_678 * share),
      [statusField('received')]: n(1_234_567 * share),
      [statusField('dispatched')]: n(2_345_678 * share),
      [statusField('mediating')]: n(3_456_789 * share),
      [statusField('resolved')]: n(3_098_765 * share),
      [statusField('failed')]: n(1_010_101 * share),
      [statusField('verified')]: n(1_199_778 * share),
    };
    INCIDENT_CATEGORIES.forEach((c, i) => (f[categoryField(c)] = n((20_000_000 - i * 2_000_000) * share)));
    DISPUTE_CATEGORIES.forEach((c, i) => (f[categoryField(c)] = n((3_000_000 - i * 300_000) * share)));
    CHANNELS.forEach((c, i) => (f[channelField(c)] = n((40_000_000 - i * 5_000_000) * share)));
    for (let h = 0; h < 24; h++) {
      f[hourField(h, INCIDENTS)] = n(4_115_226 * share);
      f[hourField(h, DISPUTES)] = n(514_403 * share);
    }
    return f;
  };
  add(
    counterKey(keys, code, { day }),
    Object.fromEntries(
      Object.entries(dayFields(1)).filter(([f]) => !/^h:(\d+):/.test(f) || Number(f.split(':')[1]) <= hour),
    ),
  );
  add(counterKey(keys, code, { day: day - 1 }), dayFields(1));
  add(counterKey(keys, code, { month }), {
    [INCIDENTS]: n(87_654_321),
    [DISPUTES]: n(56_789_012),
    [outcomeField('resolved')]: n(45_678_901),
    [outcomeField('failed')]: n(5_432_109),
  });
  add(counterKey(keys, code, 'open'), {
    [DISPUTES]: n(10_289_000),
    [INCIDENTS]: n(23_456_789),
    [statusField('received')]: n(1_234_567),
    [statusField('dispatched')]: n(4_412_000),
    [statusField('mediating')]: n(4_642_433),
    [OVERDUE]: n(4_412_000),
    [OVERDUE_DISPATCH]: n(1_412_000),
    [OVERDUE_RESOLVE]: n(3_000_000),
  });
  await tx.exec();
}
