import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { createHash } from 'node:crypto';
import { freezeReplies, readFrozen as readFrozenReplies } from '../../server/assessment/store.ts';
import { REPLY_DICTIONARY } from '../../server/assessment/reply-dictionary.ts';
import { deflated, inflated } from '../../server/redis/deflated.ts';
import {
  encode,
  freeze,
  fieldKey,
  publishedKey,
  RECORD_DICTIONARY,
  readFrozen,
  readFrozenMonths,
  type ScoredRegion,
} from '../../server/safety-index/store.ts';
import { loadIndexConfig } from '../../server/safety-index/config.ts';
import { coverageOf } from '../../server/safety-index/score.ts';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';

// Frozen months are written once and kept 400 days for every region down to the village
// (docs/capacity.md): a 督办考核 reply is stored deflated, a 平安指数 record as a deflated field
// of its parent's hash for the month. What is read back is what was frozen, a second freeze
// changes nothing, and records stored the old way (plain JSON, a key each) are still read.

const keys = createKeys('62');
const config = loadIndexConfig();
let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis({ appendonly: false });
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

function scored(code: string, score: number): ScoredRegion {
  const indicators = config.indicators.map((x, i) => ({
    id: x.id,
    name: x.name,
    value: i === 0 ? null : score + i,
    baseline: 2.5,
    peerMedian: i === 1 ? null : 3,
    score: i === 0 ? null : score,
    weight: x.weight,
  }));
  return {
    code,
    score,
    rank: { position: 2, of: 17, level: 'village' },
    indicators,
    coverage: coverageOf(indicators),
    at: Date.parse('2026-12-01T00:05:00+08:00'),
  };
}

describe('published 平安指数 records', () => {
  it('reads back a group as frozen, and a second freeze keeps the first numbers', async () => {
    const group = ['620702001001', '620702001002', '620702002001'].map((c, i) => scored(c, 60 + i));
    expect(await freeze(redis, keys, '202611', group)).toBe(3);
    const again = group.map((r) => ({ ...r, score: 10 }));
    expect(await freeze(redis, keys, '202611', again)).toBe(0);
    const got = await readFrozen(
      redis,
      keys,
      '202611',
      group.map((r) => r.code),
      config,
    );
    expect([...got.values()]).toEqual(group);
    // One value per parent and month, its children's records deflated together: smaller than one
    // record's JSON.
    const together = await redis.getBuffer(publishedKey(keys, '620702001001', '202611'));
    expect(together!.length).toBeLessThan(encode(group[0]!).length);
    expect(await redis.exists(publishedKey(keys, '620702002001', '202611'))).toBe(1);
    expect(await redis.ttl(publishedKey(keys, '620702001001', '202611'))).toBeGreaterThan(399 * 86_400);
  });

  it('reads a record published as a field of its parent’s hash before, and lets it win over a later value', async () => {
    const old = scored('620702004001', 66);
    await redis.hset(fieldKey(keys, old.code, '202610'), old.code, deflated(encode(old), RECORD_DICTIONARY));
    const sibling = scored('620702004002', 67);
    await freeze(redis, keys, '202610', [scored(old.code, 5), sibling]);
    const got = await readFrozen(redis, keys, '202610', [old.code, sibling.code], config);
    expect(got.get(old.code)).toEqual(old);
    expect(got.get(sibling.code)).toEqual(sibling);
  });

  it('is deflated against a dictionary whose bytes never change', () => {
    // Every record published in the last 13 months needs these exact bytes: an edit must fail here.
    expect(createHash('sha256').update(RECORD_DICTIONARY).digest('hex').slice(0, 16)).toBe('a18c65834c1ae0a8');
  });

  it('reads a record published as a key of its own before, and lets it win over a later value', async () => {
    const old = scored('620702003', 71);
    await redis.set(`${keys.prefix}idx:620702003:202610`, encode(old));
    expect((await readFrozenMonths(redis, keys, '620702003', ['202610', '202609'], config)).get('202610')).toEqual(old);
    await freeze(redis, keys, '202610', [scored('620702003', 5)]);
    expect((await readFrozen(redis, keys, '202610', ['620702003'], config)).get('620702003')).toEqual(old);
  });
});

describe('frozen 督办考核 replies', () => {
  const reply = (code: string, n: number) =>
    ({
      region: { code, name: '甘州区', level: 'county' },
      month: '2026-11',
      provisional: false,
      rows: Array.from({ length: 40 }, (_, i) => ({ department: `部门${i}`, received: n + i, resolved: i })),
    }) as unknown as AssessmentReply;

  it('is stored deflated, read back as frozen, and not rewritten', async () => {
    const first = reply('620702', 7);
    expect(await freezeReplies(redis, keys, '202611', [first])).toBe(1);
    expect(await freezeReplies(redis, keys, '202611', [reply('620702', 99)])).toBe(0);
    expect(await readFrozenReplies(redis, keys, '202611', ['620702', '620703'])).toEqual([first, undefined]);
    const stored = await redis.getBuffer(keys.assessment('620702', '202611'));
    expect(stored!.length * 4).toBeLessThan(JSON.stringify(first).length);
  });

  it('reads a reply frozen as plain JSON before, or deflated without the dictionary', async () => {
    const old = reply('620722', 3);
    await redis.set(keys.assessment('620722', '202610'), JSON.stringify(old));
    expect(await readFrozenReplies(redis, keys, '202610', ['620722'])).toEqual([old]);
    const alone = reply('620723', 4);
    await redis.set(keys.assessment('620723', '202610'), deflated(JSON.stringify(alone)));
    expect(await readFrozenReplies(redis, keys, '202610', ['620723'])).toEqual([alone]);
  });

  it('is deflated against the dictionary of the reply’s shape, whose bytes never change', async () => {
    const first = reply('620724', 5);
    await freezeReplies(redis, keys, '202611', [first]);
    const stored = (await redis.getBuffer(keys.assessment('620724', '202611')))!;
    expect(stored[0]).toBe('y'.charCodeAt(0));
    expect(JSON.parse(inflated(stored, REPLY_DICTIONARY))).toEqual(first);
    // Every reply frozen in the last 13 months needs these exact bytes: an edit must fail here.
    expect(createHash('sha256').update(REPLY_DICTIONARY).digest('hex').slice(0, 16)).toBe('3f8f8dd879b66a66');
  });
});
