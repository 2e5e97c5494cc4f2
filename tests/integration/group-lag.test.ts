import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { readGroupLag, streamDrained } from '../../server/aggregate/group.ts';
import { AGGREGATOR_GROUP } from '../../server/redis/keys.ts';

let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis();
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

describe('the group lag read from the stream', () => {
  it('is 0 when nothing is left to deliver, whatever count Redis keeps beside the stream', async () => {
    const stream = 'test:{62}:lag-stream';
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await redis.xadd(stream, '*', 'e', String(i)))!);
    // Everything delivered and acknowledged, but Redis's read counter is off by 7 — the state an
    // AOF reload left after a kill -9 of the embedded Redis (XINFO said lag 7847, pending 0, and
    // the last delivered id was the stream's last).
    await redis.xgroup('CREATE', stream, AGGREGATOR_GROUP, ids[9]!, 'ENTRIESREAD', 3);
    const info = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    expect(Number(info[0]![info[0]!.indexOf('lag') + 1])).toBe(7);

    expect(await readGroupLag(redis, stream)).toMatchObject({ undelivered: 0, pending: 0, oldestAgeMs: 0 });
    expect(await streamDrained(redis, stream)).toBe(true);

    // A real backlog is still counted, from the oldest undelivered entry.
    await redis.xadd(stream, '*', 'e', 'late');
    const lag = await readGroupLag(redis, stream);
    expect(lag.undelivered).toBeGreaterThan(0);
    expect(await streamDrained(redis, stream)).toBe(false);
  });
});
