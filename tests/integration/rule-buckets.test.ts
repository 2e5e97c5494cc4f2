import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { ManualClock } from '../../server/clock.ts';
import { warningKeys } from '../../server/warnings/keys.ts';
import { partyCases } from '../../server/warnings/parties.ts';
import {
  firstSeverities,
  partyField,
  ruleBucket,
  severityField,
  sweepRuleBuckets,
} from '../../server/warnings/rule-buckets.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

// The warning rules' small records are fields of bucket hashes (server/warnings/rule-buckets.ts):
// a party's cases within a rule's window and a dispute's first severity. They must answer as the
// sorted sets and hashes they replaced did, take those over where a deployment still has them,
// be gone for every reader from the second their value names, and be swept after it.

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-06T10:00:00+08:00');
const WINDOW = 30 * DAY;
const keys = createKeys('62');
const wkeys = warningKeys(keys);
const clock = new ManualClock(NOW);
let testRedis: TestRedis;
let redis: Redis;
const env = () => ({ redis, keys, wkeys, clock });
beforeAll(async () => {
  testRedis = await startTestRedis({ appendonly: false });
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

const dispute = (caseId: string, ts: number, parties: string[], region = '620702001001') =>
  ({ id: `${caseId}-0`, caseId, ts, region, category: 'neighbour', parties }) as unknown as StoredEvent;
const ids = (m: Map<string, { caseId: string }[]>, p: string) => (m.get(p) ?? []).map((c) => c.caseId);

describe('a party’s cases in the rule buckets', () => {
  it('gathers a party’s cases over batches, earliest first, each case once at its first time', async () => {
    await partyCases(env(), 'd', [dispute('a1', NOW - 3 * DAY, ['李四'])], WINDOW, NOW);
    const got = await partyCases(
      env(),
      'd',
      [dispute('a2', NOW - DAY, ['李四', '王五']), dispute('a1', NOW, ['李四'])],
      WINDOW,
      NOW,
    );
    expect(ids(got, '李四')).toEqual(['a1', 'a2']);
    expect(got.get('李四')![0]!.ts).toBe(NOW - 3 * DAY);
    expect(ids(got, '王五')).toEqual(['a2']);
    // Petitions are another rule's list of the same person.
    expect(ids(await partyCases(env(), 'p', [dispute('p1', NOW, ['李四'])], WINDOW, NOW), '李四')).toEqual(['p1']);
  });

  it('answers only the window, keeps a day behind it, and drops what is older', async () => {
    const got = await partyCases(
      env(),
      'd',
      [
        dispute('b1', NOW - WINDOW - 2 * DAY, ['赵六']),
        dispute('b2', NOW - WINDOW - DAY / 2, ['赵六']),
        dispute('b3', NOW - DAY, ['赵六']),
      ],
      WINDOW,
      NOW,
    );
    expect(ids(got, '赵六')).toEqual(['b3']);
    const raw = await redis.hget(ruleBucket(keys, wkeys, partyField('d', '赵六')), partyField('d', '赵六'));
    expect(raw).toContain('b2|');
    expect(raw).not.toContain('b1|');
  });

  it('takes over a party’s sorted set of before, and deletes it', async () => {
    const old = wkeys.legacyParty('d', '孙七');
    await redis.zadd(old, NOW - 5 * DAY, 'old1|620702001|land', NOW - 90 * DAY, 'gone|620702001|land');
    const got = await partyCases(env(), 'd', [dispute('c1', NOW, ['孙七'])], WINDOW, NOW);
    expect(ids(got, '孙七')).toEqual(['old1', 'c1']);
    expect(await redis.exists(old)).toBe(0);
  });

  it('is gone for the reader once its time has come, swept or not, and the sweep removes it', async () => {
    await partyCases(env(), 'd', [dispute('d1', NOW - 10 * DAY, ['周八'])], WINDOW, NOW);
    const field = partyField('d', '周八');
    const bucket = ruleBucket(keys, wkeys, field);
    const forgetAt = Number((await redis.hget(bucket, field))!.split('|')[0]);
    expect(forgetAt).toBe(Math.floor((NOW - 10 * DAY) / 1000) + WINDOW / 1000 + DAY / 1000);
    // A reader after that second sees none of it, even with the field still there.
    const later = forgetAt * 1000 + 1000;
    expect(ids(await partyCases(env(), 'd', [dispute('d2', later, ['周八'])], WINDOW, later), '周八')).toEqual(['d2']);
    // The sweep removes what has gone and nothing else.
    await partyCases(env(), 'd', [dispute('e1', NOW, ['吴九'])], WINDOW, NOW);
    // 赵六's newest case was a day before now: gone 31 days after it; 吴九's is kept a day longer.
    const removed = await sweepRuleBuckets(redis, keys, NOW + WINDOW + DAY / 2);
    expect(removed).toBeGreaterThan(0);
    const live = partyField('d', '吴九');
    expect(await redis.hexists(ruleBucket(keys, wkeys, live), live)).toBe(1);
    const gone = partyField('d', '赵六');
    expect(await redis.hexists(ruleBucket(keys, wkeys, gone), gone)).toBe(0);
  });
});

describe('a dispute’s first severity in the rule buckets', () => {
  it('keeps the first severity seen, takes over a hash of before, and starts again once gone', async () => {
    expect(
      await firstSeverities(env(), [
        { caseId: 's1', severity: 2, ts: NOW - DAY },
        { caseId: 's1', severity: 4, ts: NOW },
      ]),
    ).toEqual([2, 2]);
    expect(await firstSeverities(env(), [{ caseId: 's1', severity: 3, ts: NOW }])).toEqual([2]);
    await redis.hset(wkeys.legacyCaseSeverity('s2'), 's0', '1');
    expect(await firstSeverities(env(), [{ caseId: 's2', severity: 3, ts: NOW }])).toEqual([1]);
    expect(await redis.exists(wkeys.legacyCaseSeverity('s2'))).toBe(0);
    // Kept 45 days after the latest event: a later event moves the second it may go.
    const field = severityField('s1');
    const bucket = ruleBucket(keys, wkeys, field);
    expect((await redis.hget(bucket, field))!.split('|')[0]).toBe(String(Math.floor(NOW / 1000) + 45 * 86_400));
    const late = NOW + 50 * DAY;
    clock.set(late);
    expect(await firstSeverities(env(), [{ caseId: 's1', severity: 3, ts: late }])).toEqual([3]);
    clock.set(NOW);
  });
});
