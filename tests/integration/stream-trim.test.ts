import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { trimAcknowledged } from '../../server/aggregate/consumer.ts';
import { AGGREGATOR_GROUP } from '../../server/redis/keys.ts';

let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis();
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

const left = async (stream: string) => (await redis.xrange(stream, '-', '+')).map(([, f]) => Number(f[1]));
const readAs = async (stream: string, group: string, consumer: string, count: number) =>
  (
    (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '>')) as [
      string,
      [string, string[]][],
    ][]
  )[0]![1].map(([id]) => id);

describe('the events stream trimmed once consumed', () => {
  it('drops only entries every group has acknowledged; pending and undelivered ones stay', async () => {
    const stream = 'test:{62}:trim-a';
    for (let i = 0; i < 10; i++) await redis.xadd(stream, '*', 'e', String(i));
    // A stream nobody reads yet keeps everything.
    expect(await trimAcknowledged(redis, stream)).toBe(0);
    await redis.xgroup('CREATE', stream, AGGREGATOR_GROUP, '0');
    expect(await trimAcknowledged(redis, stream)).toBe(0);

    const got = await readAs(stream, AGGREGATOR_GROUP, 'c1', 6);
    // 0, 1, 2 and 4 committed; 3 and 5 still being applied (pending), 6–9 not delivered.
    await redis.xack(stream, AGGREGATOR_GROUP, got[0]!, got[1]!, got[2]!, got[4]!);
    expect(await trimAcknowledged(redis, stream)).toBe(3);
    expect(await left(stream)).toEqual([3, 4, 5, 6, 7, 8, 9]);

    // A consumer that died holding 3: claimed by another, still pending, still kept.
    await redis.xclaim(stream, AGGREGATOR_GROUP, 'c2', 0, got[3]!);
    expect(await trimAcknowledged(redis, stream)).toBe(0);
    await redis.xack(stream, AGGREGATOR_GROUP, got[3]!, got[5]!);
    expect(await trimAcknowledged(redis, stream)).toBe(3);
    expect(await left(stream)).toEqual([6, 7, 8, 9]);
  });

  it('is bounded by the slowest group', async () => {
    const stream = 'test:{62}:trim-b';
    for (let i = 0; i < 6; i++) await redis.xadd(stream, '*', 'e', String(i));
    await redis.xgroup('CREATE', stream, AGGREGATOR_GROUP, '0');
    await redis.xgroup('CREATE', stream, 'rules', '0');
    const fast = await readAs(stream, AGGREGATOR_GROUP, 'a', 6);
    await redis.xack(stream, AGGREGATOR_GROUP, ...fast);
    const slow = await readAs(stream, 'rules', 'r', 2);
    await redis.xack(stream, 'rules', ...slow);
    expect(await trimAcknowledged(redis, stream)).toBe(2);
    expect(await left(stream)).toEqual([2, 3, 4, 5]);
  });
});
