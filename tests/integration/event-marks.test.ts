import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { markBucket, markLayout, readMark, startMarkSweeping, sweepMarks } from '../../server/ingest/marks.ts';
import { ManualClock } from '../../server/clock.ts';
import { until } from '../helpers/until.ts';
import { storedDispute as event } from '../helpers/stored-event.ts';

// The event-id marks as fields of bucket hashes (server/ingest/marks.ts): a duplicate is decided
// by the id alone, a mark answers for 64 days after its event and no longer, the sweep removes
// only what has gone, and marks an older version wrote as keys still count after an upgrade.
const DAY = 86_400_000;
const keys = createKeys('62');
let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis();
});
afterAll(async () => testRedis?.stop());
beforeEach(async () => {
  // A fresh client each time: the layout is cached per client.
  redis = testRedis.client();
  await redis.flushall();
});

describe('event-id marks in buckets', () => {
  it('takes an id once, whatever else a re-sent event says', async () => {
    const now = Date.now();
    const first = await appendEvents(redis, keys, [event('m-1', now - 3 * DAY), event('m-2', now)], 0, now);
    expect(first.appended).toEqual([true, true]);
    const again = await appendEvents(
      redis,
      keys,
      [event('m-1', now - DAY, { caseId: 'another-case', summary: '另一个' }), event('m-3', now), event('m-3', now)],
      0,
      now,
    );
    expect(again.appended).toEqual([false, true, false]);
    expect(await redis.xlen(keys.events)).toBe(3);
    // One bucket hash per mark here; no key per id.
    expect(await redis.keys(`${keys.prefix}ev:*`)).toEqual([]);
    const { buckets } = await markLayout(redis, keys, now);
    expect(buckets).toBeGreaterThan(20_000); // Gansu: ≈ 25 M people, 850 a bucket
    expect(await redis.hexists(keys.eventMarks(markBucket('m-1', buckets)), 'm-1')).toBe(1);
  });

  it('answers for 64 days after the event, then lets the id in again, swept or not', async () => {
    const now = Date.now();
    const ts = now - 10 * DAY;
    expect((await appendEvents(redis, keys, [event('old-1', ts)], 0, now)).appended).toEqual([true]);
    // Day 63 after the event: still a duplicate.
    expect((await appendEvents(redis, keys, [event('old-1', ts)], 0, ts + 63 * DAY)).appended).toEqual([false]);
    // Past its day, before any sweep: the id is new again, as it was when its key expired.
    const later = ts + 66 * DAY;
    expect(await readMark(redis, keys, 'old-1', later)).toBeUndefined();
    expect((await appendEvents(redis, keys, [event('old-1', later)], 0, later)).appended).toEqual([true]);
    expect(await readMark(redis, keys, 'old-1', later)).toBeGreaterThan(later / DAY + 63);
  });

  it('sweeps the marks whose day has come and keeps the others', async () => {
    const now = Date.now();
    const old = Array.from({ length: 50 }, (_, i) => event(`s-old-${i}`, now - 40 * DAY));
    const fresh = Array.from({ length: 50 }, (_, i) => event(`s-new-${i}`, now - DAY));
    await appendEvents(redis, keys, [...old, ...fresh], 0, now);
    // 30 days on, the events of 40 days ago are 70 days old: past their 64.
    const then = now + 30 * DAY;
    expect(await sweepMarks(redis, keys, then)).toBe(50);
    const { buckets } = await markLayout(redis, keys, now);
    for (const e of old) expect(await redis.hexists(keys.eventMarks(markBucket(e.id, buckets)), e.id)).toBe(0);
    for (const e of fresh) expect(await readMark(redis, keys, e.id, then)).toBeDefined();
    expect(await sweepMarks(redis, keys, then)).toBe(0);
  });

  it('is swept by one aggregator a period, however many run', async () => {
    const now = Date.now();
    await appendEvents(redis, keys, [event('p-1', now - 40 * DAY), event('p-2', now - 40 * DAY)], 0, now);
    const clock = new ManualClock(now + 30 * DAY);
    const sweepers = [1, 2].map(() => startMarkSweeping({ redis: testRedis.client(), keys, clock, everyMs: 1500 }));
    try {
      // The first check comes a period after the start at the latest (a minute in production).
      await until(
        'the marks past their day swept',
        async () => (await readMark(redis, keys, 'p-1', now)) === undefined,
        5000,
      );
      const { buckets } = await markLayout(redis, keys, now);
      expect(await redis.hexists(keys.eventMarks(markBucket('p-2', buckets)), 'p-2')).toBe(0);
      const lease = await redis.pttl(keys.eventMarkSweep);
      expect(lease).toBeGreaterThan(0);
      expect(lease).toBeLessThanOrEqual(1500);
    } finally {
      await Promise.all(sweepers.map((stop) => stop()));
    }
  });

  it('still counts a mark an older version wrote as a key, where the deployment has one', async () => {
    const now = Date.now();
    // An upgraded deployment: its events stream and an old mark exist before the layout does.
    await redis.xadd(keys.events, '*', 'p', 'x');
    await redis.set(keys.legacyEventMark('legacy-1'), '0', 'EX', 3600);
    const answer = await appendEvents(redis, keys, [event('legacy-1', now), event('legacy-2', now)], 0, now);
    expect(answer.appended).toEqual([false, true]);
    const { legacyUntil } = await markLayout(redis, keys, now);
    expect(legacyUntil).toBeGreaterThan(now + 64 * DAY);
  });

  it('does not look for old mark keys on a deployment that never had them', async () => {
    const now = Date.now();
    expect((await markLayout(redis, keys, now)).legacyUntil).toBe(0);
    // A key by that name is not a mark here: nothing could have written one.
    await redis.set(keys.legacyEventMark('fresh-1'), '0');
    expect((await appendEvents(redis, keys, [event('fresh-1', now)], 0, now)).appended).toEqual([true]);
  });
});
