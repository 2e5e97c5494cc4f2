import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { readForgetAt } from '../../server/aggregate/case-store.ts';
import { readMark } from '../../server/ingest/marks.ts';
import { applyBatch } from '../../server/aggregate/apply.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { RETENTION } from '../../server/counters/retention.ts';
import { buckets, dayNumber, dayStart, isoBeijing, shiftMonth } from '../../server/time/beijing.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import { importHistory, servedCodes } from '../../server/import/run.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';
import { createKeyRing } from '../../server/redis/keys.ts';
import { ManualClock } from '../../server/clock.ts';
import { bucketExpiresAtS } from '../../server/counters/retention.ts';
import { at, ev, monthsBefore, writeLines } from '../helpers/import-file.ts';

// Retention counts from when things happened: an event applied today that occurred 40 days ago
// leaves marks, a case and counters that go when data of that day goes, not 40 days later.
const DAY = 86_400_000;
const keys = createKeys('62');
let testRedis: TestRedis;
let redis: Redis;
beforeAll(async () => {
  testRedis = await startTestRedis();
  redis = testRedis.client();
});
afterAll(async () => testRedis?.stop());

function incident(id: string, status: 'reported' | 'closed', ts: number): StoredEvent {
  return {
    id,
    caseId: 'late-case',
    kind: 'incident',
    category: 'criminal',
    status,
    severity: 1,
    region: '620702001001',
    channel: 'police_110',
    summary: '迟到的事件',
    occurredAt: isoBeijing(ts),
    source: 'test',
    ts,
    receivedAt: Date.now(),
  } as StoredEvent;
}

const expireTime = async (key: string) => Number(await redis.call('EXPIRETIME', key));
/** Expiries are written as TTLs from the server's clock: a second or two of rounding and travel. */
async function expiresAt(key: string, expected: number): Promise<void> {
  const at = await expireTime(key);
  expect(Math.abs(at - expected), `${key} expires at ${at}, expected ${expected}`).toBeLessThanOrEqual(2);
}

/** An event-id mark is a field valued with its day, swept from that day: never before `expected` s. */
async function markGoesAt(id: string, expected: number): Promise<void> {
  const day = await readMark(redis, keys, id, Date.now());
  expect(day, `${id} has a mark`).toBeDefined();
  const goesAt = day! * 86_400;
  expect(goesAt - expected, `${id}'s mark goes at ${goesAt}, expected ${expected}`).toBeGreaterThanOrEqual(0);
  expect(goesAt - expected).toBeLessThan(86_400);
}

describe('retention counted from event time', () => {
  it('expires marks, a closed case and its day and month counters from when its events happened', async () => {
    const now = Date.now();
    const opened = now - 41 * DAY;
    const closed = now - 40 * DAY;
    const events = [incident('late-1', 'reported', opened), incident('late-2', 'closed', closed)];
    await appendEvents(redis, keys, events);
    await applyBatch(
      { redis, keys, sla: slaTable() },
      events.map((event) => ({ entryId: '', event })),
      now,
    );

    const s = (ms: number) => Math.floor(ms / 1000);
    await markGoesAt('late-1', s(opened) + RETENTION.eventMarkTtlS);
    await markGoesAt('late-2', s(closed) + RETENTION.eventMarkTtlS);
    // The case from its latest event (not from now: that would be 40 days later).
    expect(await readForgetAt(redis, keys, 'late-case')).toBe(s(closed) + RETENTION.closedCaseTtlS);
    // Counted on the day of its earliest event: that day's hashes go 50 days after the day ended.
    const day = dayNumber(opened);
    const dayEnd = s(dayStart(day + 1));
    for (const key of [keys.day('62', day), keys.day('620702', day), keys.lowDay('620702001', day)])
      await expiresAt(key, dayEnd + RETENTION.dayTtlS);
    const month = buckets(opened).month;
    const following = shiftMonth(month, 1);
    const monthEnd = s(Date.parse(`${following.slice(0, 4)}-${following.slice(4)}-01T00:00:00+08:00`));
    await expiresAt(keys.month('62', month), monthEnd + RETENTION.monthTtlS);
    // The closed case index of the village's county and that day: from its newest case's earliest event.
    await expiresAt(keys.caseIndexDay('620702', 'i', day), s(opened) + RETENTION.caseIndexTtlS);
  });

  it('keeps an open case whatever its age, and a fresh event’s marks for the full window', async () => {
    const now = Date.now();
    const e = { ...incident('open-1', 'reported', now - 60_000), caseId: 'open-case' } as StoredEvent;
    await appendEvents(redis, keys, [e]);
    await applyBatch({ redis, keys, sla: slaTable() }, [{ entryId: '', event: e }], now);
    expect(await readForgetAt(redis, keys, 'open-case')).toBeNull();
    await markGoesAt('open-1', Math.floor(e.ts / 1000) + RETENTION.eventMarkTtlS);
  });

  it('gives imported history the live commit’s expiry, by the server’s clock, not Redis’s', async () => {
    // The server's clock 5 days behind Redis's: both paths must write the TTL the server's clock
    // gives (ttlUntil), so a bucket's imported and live counts go at the same moment.
    const tree = await loadRegionTree('62');
    const clock = new ManualClock(Date.now() - 5 * DAY);
    const now = clock.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-retention-'));
    try {
      const old = monthsBefore(now, 6);
      const file = path.join(dir, 'history.ndjson');
      writeLines(file, [
        ev('H', 0, 'dispute', 'family', 'received', '620302', at(old, 10), 'grid'),
        ev('H', 1, 'dispute', 'family', 'failed', '620302', at(old, 11), 'grid'),
      ]);
      const report = await importHistory(
        {
          redis,
          ring: createKeyRing('62', tree.provinces),
          root: '62',
          provinces: tree.provinces,
          regionCodes: servedCodes(tree),
          clock,
          sla: slaTable(),
        },
        file,
      );
      expect(report.history.cases).toBe(1);
      // Live: a case of last month applied at the same clock.
      const lastMonth = monthsBefore(now, 1);
      const e = { ...incident('live-1', 'closed', Date.parse(at(lastMonth, 10))), caseId: 'live-case' };
      await applyBatch({ redis, keys, sla: slaTable() }, [{ entryId: '', event: e }], now);
      const offset = async (month: string) => (await expireTime(keys.month('62', month))) - bucketExpiresAtS(month);
      const live = await offset(lastMonth);
      expect(Math.abs((await offset(old)) - live), `import vs live offset (live ${live} s)`).toBeLessThanOrEqual(2);
      // …and that offset is the 5 days the clocks differ by, plus the real seconds this test has
      // taken since it set its clock (the manual clock stood still meanwhile).
      const elapsedS = Math.ceil((Date.now() - now - 5 * DAY) / 1000);
      expect(live - 5 * 86_400).toBeGreaterThanOrEqual(-2);
      expect(live - 5 * 86_400).toBeLessThanOrEqual(elapsedS + 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
