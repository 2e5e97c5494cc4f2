import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { hashesBySlot, readAs, type HashRead } from '../../server/redis/by-slot.ts';
import { lowKindSums, villagePrefixes } from '../../server/counters/low-level.ts';

// read-hashes.lua reads a hash as a snapshot asks (fields, a prefix, sums) inside Redis; replay
// has the hashes whole and applies the same reads in Node (readAs). Both must give the same.
const keys = createKeys('62');
let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis({ appendonly: false });
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

const township = '620702001';
// A township's combination hashes (server/counters/low-level.ts): its own cases and its villages',
// zero and negative values (a count taken back), open fields with and without overdue flags.
const day: Record<string, string> = {
  [`${township}|i|criminal|police_110|reported||10|123`]: '3',
  [`${township}001|i|traffic|police_110|closed|solved|11|130`]: '2',
  [`${township}001|d|neighbour|walk_in|received||11|131`]: '5',
  [`${township}002|d|land|hotline_12345|mediating||9|110`]: '0',
  [`${township}002|i|criminal|police_110|reported||9|111`]: '-1',
  [`${township}0021|d|debt|walk_in|received||8|100`]: '7',
  // Fields as written since 2026-12-06 name the place by what the key does not say: nothing for
  // the township's own, a village's last three digits. A hash holds both forms for a while.
  [`|i|c|p|r||12|40`]: '2',
  [`001|d|n|w|e||12|41`]: '4',
  [`002|i|c|p|r||7|60`]: '3',
};
const open: Record<string, string> = {
  [`${township}|d|received|neighbour|`]: '4',
  [`${township}001|d|mediating|land|dr`]: '2',
  [`${township}001|i|reported|criminal|d`]: '1',
  [`${township}002|d|dispatched|debt|`]: '6',
};

describe('hashes read inside Redis as the snapshot asks', () => {
  it('gives what the same read of the whole hash gives in Node', async () => {
    const dayKey = keys.lowDay(township, 20_000);
    const openKey = keys.lowOpen(township);
    await redis.hset(dayKey, day);
    await redis.hset(openKey, open);
    const reads: [string, HashRead | undefined][] = [
      [dayKey, lowKindSums(false)],
      [openKey, lowKindSums(true)],
      [dayKey, { prefixes: villagePrefixes(`${township}001`) }],
      [dayKey, { prefixes: villagePrefixes(`${township}002`) }],
      [openKey, ['no-such-field', `${township}002|d|dispatched|debt|`]],
      [dayKey, undefined],
      [keys.lowOpen('620702999'), lowKindSums(true)],
    ];
    const got = await hashesBySlot(
      redis,
      reads.map(([k]) => k),
      reads.map(([, r]) => r),
    );
    const whole = { [dayKey]: day, [openKey]: open };
    const want = reads.map(([k, r]) => readAs(r, whole[k] ?? {}));
    expect(got).toEqual(want);
    // And the figures themselves: every field's kind, overdue where a flag is set.
    expect(want[0]).toEqual({ i: '9', d: '16' });
    expect(want[1]).toEqual({ d: '12', i: '1', od: '3' });
    expect(Object.keys(want[3]!)).toEqual([
      `${township}002|d|land|hotline_12345|mediating||9|110`,
      `${township}002|i|criminal|police_110|reported||9|111`,
      `002|i|c|p|r||7|60`,
    ]);
    expect(Object.keys(want[2]!)).toEqual([
      `${township}001|i|traffic|police_110|closed|solved|11|130`,
      `${township}001|d|neighbour|walk_in|received||11|131`,
      `001|d|n|w|e||12|41`,
    ]);
  });
});
