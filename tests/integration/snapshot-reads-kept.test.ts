import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { readSnapshot } from '../../server/aggregate/snapshot.ts';
import { dayNumber } from '../../server/time/beijing.ts';

// The live read keeps a region’s keys (and its read plan) for the day: a read on
// the next day must name the next day's hashes, not the kept ones.
const keys = createKeys('62');
let testRedis: TestRedis;
let redis: Redis;
let tree: RegionTree;
beforeAll(async () => {
  testRedis = await startTestRedis({ appendonly: false });
  redis = testRedis.client();
  tree = await loadRegionTree('62');
});
afterAll(async () => testRedis?.stop());

describe('a region’s snapshot read again and again', () => {
  it('reads the day it is read on, across midnight', async () => {
    const deps = { redis, keys, region: (c: string) => tree.info(c) };
    const county = '620102';
    const township = tree.info(county)!.children[0]!.code;
    const evening = Date.parse('2026-12-06T23:59:59.500+08:00');
    const day = dayNumber(evening);
    await redis.hset(keys.day(county, day), 'i', '5', 'd', '1');
    await redis.hset(keys.day(county, day + 1), 'i', '7');
    await redis.hset(keys.day(township, day), 'i', '2');
    for (let i = 0; i < 3; i++) {
      const s = (await readSnapshot(deps, county, evening))!;
      expect(s.counts.today).toMatchObject({ incident: 5, dispute: 1 });
    }
    const after = (await readSnapshot(deps, county, evening + 1000))!;
    expect(after.counts.today).toMatchObject({ incident: 7, dispute: 0 });
    expect(after.counts.yesterday).toEqual({ incident: 5, dispute: 1 });
    // A child's figures follow the day too: yesterday's 2 are not today's.
    expect(after.children.find((c) => c.code === township)!.counts.today.incident).toBe(0);
  });
});
