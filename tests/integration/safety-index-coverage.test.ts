import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createKeys } from '../../server/redis/keys.ts';
import { Coverage } from '../../server/safety-index/coverage.ts';
import { coverageKey } from '../../server/safety-index/store.ts';
import { dayNumber } from '../../server/time/beijing.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

const keys = createKeys('62');
let r: TestRedis;
let redis: Redis;

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
});
afterAll(async () => r?.stop());
beforeEach(async () => {
  await redis.flushall();
});

const day = (iso: string) => dayNumber(Date.parse(`${iso}T12:00:00+08:00`));

/** Root-level cases on each day from `from` to `to` (Beijing dates), and in the month hash. */
async function feed(from: string, to: string): Promise<void> {
  for (let d = day(from); d <= day(to); d++) await redis.hset(keys.day('62', d), 'i', 5);
  await redis.hset(keys.month('62', from.slice(0, 7).replace('-', '')), 'i', 100);
}

const coverage = (at: string) => new Coverage({ redis, keys, roots: ['62'], now: () => Date.parse(at) });

describe('days of data in a month', () => {
  it('counts only the days the system was feeding, for a system started late in the month', async () => {
    await feed('2026-10-24', '2026-10-31');
    expect(await coverage('2026-11-23T10:00:00+08:00').days('202610')).toBe(8);
  });

  it('takes the days whose hashes are gone as covered when the first day still visible is', async () => {
    await feed('2026-10-09', '2026-10-31'); // 1–8 October are beyond the day hashes' 45 days on 23 November
    expect(await coverage('2026-11-23T10:00:00+08:00').days('202610')).toBe(31);
  });

  it('counts the live month so far: whole days with data, then today’s elapsed part', async () => {
    await feed('2026-11-01', '2026-11-09');
    expect(await coverage('2026-11-10T06:00:00+08:00').days('202611')).toBeCloseTo(9.25, 6);
  });

  it('stores a month’s count once it has settled, and not before', async () => {
    await feed('2026-10-24', '2026-10-31');
    await coverage('2026-11-03T10:00:00+08:00').days('202610');
    expect(await redis.get(coverageKey(keys, '202610'))).toBeNull();
    await coverage('2026-11-09T10:00:00+08:00').days('202610');
    expect(await redis.get(coverageKey(keys, '202610'))).toBe('8');
  });

  it('finds no data in a month before the system ran', async () => {
    await feed('2026-10-24', '2026-10-31');
    expect(await coverage('2026-11-23T10:00:00+08:00').days('202609')).toBe(0);
  });
});
