import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { storedDispute } from '../helpers/stored-event.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { applyBatch, type AggregationContext } from '../../server/aggregate/apply.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import {
  caseBuckets,
  caseKey,
  checkCaseLayout,
  readCases,
  readForgetAt,
  sweepCases,
} from '../../server/aggregate/case-store.ts';
import { encodeCase, type CaseState } from '../../server/aggregate/case-state.ts';
import { indexEntries } from '../../server/aggregate/case-index.ts';
import { moveLegacyCases } from '../../server/aggregate/legacy-cases.ts';
import { listCases } from '../../server/aggregate/case-list.ts';
import { RETENTION } from '../../server/counters/retention.ts';
import { createLogger } from '../../server/log.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

// Cases as fields of bucket hashes (server/aggregate/case-store.ts): a closed case is forgotten at
// the second its key's expiry would have removed it, swept or not; an open one never; cases an
// older version kept as keys move into their buckets once, whoever runs the move; and a bucket
// count that changed is refused rather than losing every case.
const DAY = 86_400_000;
const keys = createKeys('62');
let r: TestRedis;
let redis: Redis;
let ctx: AggregationContext;
beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
  ctx = { redis, keys, sla: slaTable() };
});
afterAll(async () => r?.stop());
beforeEach(async () => {
  await redis.flushall();
});

const T = Date.parse('2026-10-01T10:00:00+08:00');
const entry = (event: StoredEvent) => ({ entryId: '', event });
const incident = (id: string, caseId: string, status: 'reported' | 'closed', ts: number) =>
  entry(
    storedDispute(id, ts, {
      caseId,
      kind: 'incident',
      category: 'public_order',
      status,
      channel: 'police_110',
      summary: '打架斗殴',
    } as Partial<StoredEvent>),
  );

describe('cases in buckets', () => {
  it('forgets a closed case from its latest event’s retention on, before any sweep; an open one never', async () => {
    await applyBatch(
      ctx,
      [incident('c1-0', 'closed-1', 'reported', T), incident('c1-1', 'closed-1', 'closed', T + 60_000)],
      T + DAY,
      false,
    );
    await applyBatch(ctx, [entry(storedDispute('o1-0', T, { caseId: 'open-1' }))], T + DAY, false);
    const goes = Math.floor((T + 60_000) / 1000) + RETENTION.closedCaseTtlS;
    expect(await readForgetAt(redis, keys, 'closed-1')).toBe(goes);
    expect(await readForgetAt(redis, keys, 'open-1')).toBeNull();
    // A second before: there, with its summary. At the second: gone, though still stored.
    const before = await readCases(redis, keys, ['closed-1'], goes * 1000 - 1000);
    expect(before.get('closed-1')).toMatchObject({ v: '1', state: { s: 'closed' }, summary: '打架斗殴' });
    const at = goes * 1000;
    expect(await readCases(redis, keys, ['closed-1', 'open-1'], at)).toEqual(
      new Map([
        ['closed-1', { v: '' }],
        ['open-1', expect.objectContaining({ v: '1', state: expect.objectContaining({ s: 'received' }) })],
      ]),
    );
    expect(await redis.hexists(caseKey(keys, 'closed-1'), 'closed-1')).toBe(1);
    // The commit agrees with the read: the same id, after its retention, is a new case.
    const again = await applyBatch(ctx, [incident('c1-2', 'closed-1', 'reported', at)], at, false);
    expect(again.codes).toEqual(['N']);
    expect((await readCases(redis, keys, ['closed-1'], at)).get('closed-1')).toMatchObject({
      v: '1',
      state: { s: 'reported', e: ['c1-2'] },
    });
  });

  it('keeps nothing of a case applied after its retention (late history), as a key expiring at once did', async () => {
    const old = T - 80 * DAY;
    const done = await applyBatch(
      ctx,
      [incident('l-0', 'late-1', 'reported', old), incident('l-1', 'late-1', 'closed', old + 60_000)],
      T,
      false,
    );
    expect(done.codes).toEqual(['N', 'U']);
    expect(await redis.hexists(caseKey(keys, 'late-1'), 'late-1')).toBe(0);
  });

  it('sweeps only the cases forgotten by then', async () => {
    await applyBatch(
      ctx,
      [incident('a-0', 'gone-a', 'closed', T), incident('b-0', 'kept-b', 'closed', T + 10 * DAY)],
      T + 11 * DAY,
      false,
    );
    await applyBatch(ctx, [entry(storedDispute('o-0', T - 400 * DAY, { caseId: 'old-open' }))], T + 11 * DAY, false);
    const aGoes = (await readForgetAt(redis, keys, 'gone-a'))! * 1000;
    expect(await sweepCases(redis, keys, aGoes - 1000)).toBe(0);
    expect(await sweepCases(redis, keys, aGoes)).toBe(1);
    expect(await readForgetAt(redis, keys, 'gone-a')).toBeUndefined();
    expect(await readForgetAt(redis, keys, 'kept-b')).toBeGreaterThan(aGoes / 1000);
    // An open case stays whatever its age (flagged stale on the wall, never forgotten silently).
    expect(await sweepCases(redis, keys, T + 1000 * DAY)).toBe(1);
    expect(await readForgetAt(redis, keys, 'old-open')).toBeNull();
  });

  it('keeps a bucket of typical cases as one listpack', async () => {
    const summary = '某村村民张某与李某因宅基地边界问题发生纠纷，双方情绪激动，网格员已到场劝解并上报'.repeat(2);
    const ids: string[] = [];
    for (let i = 0; ids.length < 60; i++) {
      const id = `sim-${i}`;
      if (caseKey(keys, id) === caseKey(keys, 'sim-0')) ids.push(id);
    }
    await applyBatch(
      ctx,
      ids.map((id, i) => entry(storedDispute(`${id}-0`, T + i, { caseId: id, summary }))),
      T + DAY,
      false,
    );
    expect(await redis.hlen(caseKey(keys, 'sim-0'))).toBe(60);
    expect(await redis.object('ENCODING', caseKey(keys, 'sim-0'))).toBe('listpack');
  });
});

describe('cases an older version kept as keys', () => {
  it('move into their buckets once, with version, summary and retention, whoever runs the move', async () => {
    const openState: CaseState = {
      k: 'd',
      r: '620702001001',
      c: 'neighbour',
      ch: 'walk_in',
      t0: T,
      i0: 'k-open-0',
      s: 'received',
      st: T,
      si: 'k-open-0',
      sev: 1,
      od: '',
      tl: T,
      e: ['k-open-0'],
    };
    await redis.hset(keys.legacyCase('k-open'), 'v', '4', 'j', encodeCase('k-open', openState), 'm', '邻里纠纷');
    for (const [set, { member, score }] of indexEntries(keys, 'k-open', openState, 0))
      await redis.zadd(set, score, member);
    const closed = encodeCase('k-closed', {
      k: 'i',
      r: '620702001001',
      c: 'public_order',
      ch: 'police_110',
      t0: T,
      i0: 'k-closed-0',
      s: 'closed',
      st: T + 1000,
      si: 'k-closed-1',
      sev: 1,
      od: '',
      tl: T + 1000,
      e: ['k-closed-0', 'k-closed-1'],
    });
    await redis.hset(keys.legacyCase('k-closed'), 'v', '2', 'j', closed);
    await redis.expire(keys.legacyCase('k-closed'), 3600);
    const logger = createLogger('silent');
    // Three processes starting together.
    await Promise.all([1, 2, 3].map(() => moveLegacyCases(r.client(), keys, logger)));
    expect(await redis.keys(`${keys.prefix}case:*`)).toEqual([]);
    const now = T + DAY;
    const cases = await readCases(redis, keys, ['k-open', 'k-closed'], now);
    expect(cases.get('k-open')).toMatchObject({ v: '4', state: { s: 'received' }, summary: '邻里纠纷' });
    expect(cases.get('k-closed')).toMatchObject({ v: '2', state: { s: 'closed', e: ['k-closed-0', 'k-closed-1'] } });
    expect(await readForgetAt(redis, keys, 'k-closed')).toBe(Math.floor((T + 1000) / 1000) + RETENTION.closedCaseTtlS);
    // The aggregator goes on from the moved version.
    const next = await applyBatch(
      ctx,
      [entry(storedDispute('k-open-1', T + 2000, { caseId: 'k-open', status: 'dispatched' }))],
      now,
      false,
    );
    expect(next.codes).toEqual(['U']);
    expect((await readCases(redis, keys, ['k-open'], now)).get('k-open')).toMatchObject({
      v: '5',
      summary: '邻里纠纷',
    });
    // A list shows the moved case with its summary.
    const list = await listCases(
      { redis, keys, regionName: () => undefined, counties: () => ['620702'] },
      { region: '620702001001', kind: 'dispute' },
      undefined,
      10,
      now,
    );
    expect(list.cases.map((c) => [c.id, c.summary])).toEqual([['k-open', '邻里纠纷']]);
  });

  it('refuses to start on a Redis whose cases were written with another bucket count', async () => {
    await redis.hset(keys.caseBucketLayout, 'b', caseBuckets('62') + 1);
    await expect(checkCaseLayout(redis, keys)).rejects.toThrow(/cslayout says the cases are in \d+ buckets/);
    await expect(moveLegacyCases(redis, keys)).rejects.toThrow(/must not change/);
  });
});
