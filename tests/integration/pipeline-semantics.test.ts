import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import {
  applyBatch,
  commit,
  contributionBounds,
  sweepOverdue,
  type AggregationContext,
  type Entry,
} from '../../server/aggregate/apply.ts';
import { BatchPlan } from '../../server/aggregate/batch.ts';
import { caseEvent } from '../../server/aggregate/case-state.ts';
import { moveLegacyCases } from '../../server/aggregate/legacy-cases.ts';
import { readCases } from '../../server/aggregate/case-store.ts';
import { createLogger } from '../../server/log.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { readSnapshot } from '../../server/aggregate/snapshot.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { DisputeStatus } from '../../shared/vocab.ts';

const HOUR = 3600_000;
const keys = createKeys('62');
let r: TestRedis;
let redis: Redis;
let ctx: AggregationContext;
let tree: RegionTree;

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
  ctx = { redis, keys, sla: slaTable() };
  tree = await loadRegionTree('62');
});
afterAll(async () => r?.stop());
beforeEach(async () => {
  await redis.flushall();
});

// 10:00 Beijing time on a fixed day, far from midnight.
const T = Date.parse('2026-11-20T10:00:00+08:00');
let seq = 0;
function dispute(caseId: string, status: DisputeStatus, at: number, extra: Partial<StoredEvent> = {}): Entry {
  return {
    entryId: '',
    event: {
      id: `e${seq++}`,
      caseId,
      kind: 'dispute',
      category: 'family',
      status,
      severity: 1,
      region: '620702001001',
      occurredAt: new Date(at).toISOString(),
      channel: 'grid',
      summary: '',
      source: 'test',
      ts: at,
      ...extra,
    } as StoredEvent,
  };
}
const snap = (code: string, now: number) => readSnapshot({ redis, keys, region: (c) => tree.info(c) }, code, now);

describe('dispute lifecycle semantics', () => {
  it('gives the same backlog and rates whatever order the lifecycle events arrive in', async () => {
    const life = (id: string, outcome: 'resolved' | 'failed') => [
      dispute(id, 'received', T),
      dispute(id, 'dispatched', T + HOUR),
      dispute(id, 'mediating', T + 2 * HOUR),
      dispute(id, outcome, T + 3 * HOUR),
    ];
    const a = life('A', 'resolved');
    const b = life('B', 'failed');
    const c = life('C', 'resolved').slice(0, 2); // still open, dispatched
    // Worst case: newest first, interleaved, one batch per event.
    const arrival = [...a, ...b, ...c].reverse();
    for (const e of arrival) await applyBatch(ctx, [e], T + 4 * HOUR, false);
    const s = (await snap('620702', T + 4 * HOUR))!;
    expect(s.counts.today.dispute).toBe(3);
    expect(s.counts.today.byStatus).toEqual({ resolved: 1, failed: 1, dispatched: 1 });
    expect(s.counts.open).toMatchObject({ dispute: 1, byStatus: { dispatched: 1 } });
    expect(s.rates.mediationSuccess).toBe(0.5);
    expect(s.rates.disputeResolution).toBeCloseTo(1 / 3, 4);
  });

  it('never lets a late, lower step move a case back', async () => {
    await applyBatch(ctx, [dispute('D', 'resolved', T + 2 * HOUR)], T + 3 * HOUR, false);
    await applyBatch(ctx, [dispute('D', 'received', T + 2.5 * HOUR)], T + 3 * HOUR, false);
    const s = (await snap('62', T + 3 * HOUR))!;
    expect(s.counts.today.byStatus).toEqual({ resolved: 1 });
    expect(s.counts.open.dispute).toBe(0);
  });

  it('counts a case on the day of its earliest event, even when that event arrives last', async () => {
    const day1 = Date.parse('2026-11-19T23:50:00+08:00');
    await applyBatch(ctx, [dispute('E', 'dispatched', T)], T + HOUR, false);
    expect((await snap('62', T + HOUR))!.counts.today.dispute).toBe(1);
    await applyBatch(ctx, [dispute('E', 'received', day1)], T + HOUR, false);
    const s = (await snap('62', T + HOUR))!;
    expect(s.counts.today.dispute).toBe(0);
    expect(s.counts.yesterday.dispute).toBe(1);
    expect(s.counts.open.dispute).toBe(1);
  });

  it('applies a redelivered batch only once', async () => {
    const batch = [dispute('F', 'received', T), dispute('F', 'dispatched', T + HOUR)];
    const first = await applyBatch(ctx, batch, T + HOUR, false);
    const again = await applyBatch(ctx, batch, T + HOUR, false);
    expect(first.codes).toEqual(['N', 'U']);
    expect(again.codes).toEqual(['D', 'D']);
    expect((await snap('62', T + HOUR))!.counts.today.dispute).toBe(1);
  });

  it('keeps an event whose kind contradicts its case out of the counts', async () => {
    await applyBatch(ctx, [dispute('G', 'received', T)], T, false);
    const clash = dispute('G', 'received', T + 1000, {
      kind: 'incident',
      category: 'criminal',
      status: 'reported',
    } as Partial<StoredEvent>);
    expect((await applyBatch(ctx, [clash], T, false)).codes).toEqual(['C']);
    const s = (await snap('62', T))!;
    expect(s.counts.today).toMatchObject({ incident: 0, dispute: 1 });
  });
});

describe('overdue disputes against their SLA', () => {
  it('marks a dispute not dispatched in time once its deadline passes, and clears it when dispatched', async () => {
    // family: dispatch within 12 h.
    await applyBatch(ctx, [dispute('H', 'received', T)], T, false);
    expect((await sweepOverdue(ctx, T + 11 * HOUR)).changed).toEqual([]);
    expect((await snap('6207', T + 11 * HOUR))!.counts.overdue).toEqual({ dispute: 0, dispatch: 0, resolve: 0 });
    const swept = await sweepOverdue(ctx, T + 13 * HOUR);
    expect(swept.changed).toEqual([{ caseId: 'H', flags: 'd' }]);
    expect(swept.touched).toContain('620702001001');
    expect((await snap('6207', T + 13 * HOUR))!.counts.overdue).toEqual({ dispute: 1, dispatch: 1, resolve: 0 });
    await applyBatch(ctx, [dispute('H', 'dispatched', T + 14 * HOUR)], T + 14 * HOUR, false);
    expect((await snap('6207', T + 14 * HOUR))!.counts.overdue).toEqual({ dispute: 0, dispatch: 0, resolve: 0 });
  });

  it('never marks a resolved dispute overdue', async () => {
    await applyBatch(ctx, [dispute('I', 'received', T), dispute('I', 'resolved', T + HOUR)], T + HOUR, false);
    await sweepOverdue(ctx, T + 40 * 24 * HOUR);
    const s = (await snap('62', T + 40 * 24 * HOUR))!;
    expect(s.counts.overdue.dispute).toBe(0);
    expect(await redis.zcard(keys.slaQueue)).toBe(0);
  });

  it('marks an open dispute past its resolution limit', async () => {
    await applyBatch(ctx, [dispute('J', 'received', T), dispute('J', 'mediating', T + HOUR)], T + HOUR, false);
    await sweepOverdue(ctx, T + 16 * 24 * HOUR); // family: 15 days
    expect((await snap('62', T + 16 * 24 * HOUR))!.counts.overdue).toEqual({ dispute: 1, dispatch: 0, resolve: 1 });
  });
});

describe('several aggregators on the same cases', () => {
  it('refuses a commit computed from a case state that has changed since it was read', async () => {
    await applyBatch(ctx, [dispute('K', 'received', T)], T, false);
    const stale = await readCases(redis, keys, ['K'], T);
    await applyBatch(ctx, [dispute('K', 'dispatched', T + HOUR)], T + HOUR, false);
    const plan = new BatchPlan(keys, ctx.sla, T + HOUR, contributionBounds(keys, T + HOUR));
    plan.apply(caseEvent(dispute('K', 'mediating', T + 2 * HOUR).event), stale);
    expect(await commit(ctx, plan.commitArg('g', [], null))).toBe(false);
    // Nothing of the refused batch was written.
    const s = (await snap('62', T + 2 * HOUR))!;
    expect(s.counts.today.byStatus).toEqual({ dispatched: 1 });
  });

  it('ends with exact counts when two aggregators apply interleaved lifecycles at the same time', async () => {
    const other = r.client();
    const ctx2: AggregationContext = { redis: other, keys, sla: ctx.sla };
    const cases = Array.from({ length: 200 }, (_, i) => `M${i}`);
    // Each case's steps split over both aggregators, several rounds of concurrent batches.
    const steps: DisputeStatus[] = ['received', 'dispatched', 'mediating', 'resolved'];
    for (let s = 0; s < steps.length; s += 2) {
      const a = cases.map((id) => dispute(id, steps[s]!, T + s * HOUR));
      const b = cases.map((id) => dispute(id, steps[s + 1]!, T + (s + 1) * HOUR));
      await Promise.all([applyBatch(ctx, a, T + 4 * HOUR, false), applyBatch(ctx2, b, T + 4 * HOUR, false)]);
    }
    await other.quit();
    const snapshot = (await snap('62', T + 4 * HOUR))!;
    expect(snapshot.counts.today.dispute).toBe(200);
    expect(snapshot.counts.today.byStatus).toEqual({ resolved: 200 });
    expect(snapshot.counts.open.dispute).toBe(0);
  });
});

describe('case states written by an earlier version', () => {
  it('are converted in place, keeping what was applied to them', async () => {
    // Layout 1: one hash field per attribute and a marker per applied event.
    await redis.hset(keys.legacyCase('L'), {
      k: 'd',
      r: '620702001001',
      c: 'family',
      ch: 'grid',
      t0: T,
      i0: 'old1',
      dy: 0,
      mo: '202611',
      hh: 10,
      sl: 120,
      s: 'dispatched',
      sr: 1,
      st: T + HOUR,
      si: 'old2',
      sev: 2,
      od: '',
      dl: T + 15 * 24 * HOUR,
      'e:old1': 1,
      'e:old2': 1,
    });
    await moveLegacyCases(redis, keys, createLogger('silent'));
    const state = (await readCases(redis, keys, ['L'], T)).get('L')!.state!;
    expect(state).toMatchObject({
      k: 'd',
      r: '620702001001',
      s: 'dispatched',
      st: T + HOUR,
      sev: 2,
      dl: T + 15 * 24 * HOUR,
    });
    expect(state.e.sort()).toEqual(['old1', 'old2']);
    const again = { ...dispute('L', 'dispatched', T + HOUR) };
    again.event = { ...again.event, id: 'old2' };
    expect((await applyBatch(ctx, [again], T + 2 * HOUR, false)).codes).toEqual(['D']);
  });
});

describe('sliding windows', () => {
  it('count the cases of the last 15 minutes, hour and 24 hours, across midnight', async () => {
    const MIN = 60_000;
    const now = T + 2 * MIN; // 10:02
    const ages = [1, 10, 14, 20, 50, 59, 61, 5 * 60, 10 * 60 + 1, 23 * 60 + 50, 24 * 60 + 30];
    await applyBatch(
      ctx,
      ages.map((m, i) => dispute(`W${i}`, 'received', now - m * MIN)),
      now,
      false,
    );
    const s = (await snap('620702', now))!;
    // 5-minute slots: "the last 15 minutes" is the current slot and the two before it (09:50–10:04),
    // so events 1 and 10 minutes ago are in and one 14 minutes ago (09:48) is out.
    expect(s.counts.last15m.dispute).toBe(2);
    expect(s.counts.last1h.dispute).toBe(5); // the current slot and the 11 before: back to 09:05
    expect(s.counts.last24h.dispute).toBe(10); // yesterday 10:05 onwards; 24 h 30 min ago is out
  });
});
