import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { publishedKey } from '../../server/safety-index/store.ts';
import type { SafetyIndexReply } from '../../shared/schemas/safety-index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The 平安指数 end to end: events through ingest and the real aggregator, the index through its
 * route. The clock stands on 10 November 2026, so October is the published month (ingest still
 * takes October events: they are under 40 days old) and November the provisional one.
 */
const clock = new ManualClock(Date.parse('2026-11-10T10:00:00+08:00'));
const keys = createKeys('62');
const A = '620702'; // 甘州区: more crime and a homicide in October
const B = '620102'; // 城关区
let t: TestServer;
let redis: Redis;
let admin: string;
let wall: string;
let seq = 0;

function event(region: string, at: string, kind: 'incident' | 'dispute', category: string, status: string) {
  const id = `idx-${seq++}`;
  return {
    id,
    caseId: `case-${id}`,
    kind,
    category,
    status,
    severity: 1,
    region,
    occurredAt: at,
    channel: kind === 'incident' ? 'police_110' : 'grid',
    summary: '平安指数测试',
  };
}

/** A month of one county: crimes and petitions, plus six disputes with outcomes. */
function month(region: string, ym: string, crimes: number, homicides: number) {
  const day = (d: number) => `${ym}-${String(d).padStart(2, '0')}T10:00:00+08:00`;
  const events = [];
  for (let i = 0; i < crimes; i++) events.push(event(region, day(5 + (i % 5)), 'incident', 'criminal', 'closed'));
  for (let i = 0; i < homicides; i++) events.push(event(region, day(6), 'incident', 'homicide', 'handling'));
  events.push(event(region, day(7), 'incident', 'petition', 'closed'));
  for (const status of ['resolved', 'resolved', 'resolved', 'resolved', 'failed', 'mediating'])
    events.push(event(region, day(8), 'dispute', 'neighbour', status));
  return events;
}

async function post(events: unknown[]): Promise<void> {
  const res = await t.postEvents(events);
  expect(res.body).toMatchObject({ accepted: events.length, rejected: [] });
}

/** Waits until the aggregator has counted `n` cases in a province month hash. */
async function counted(ym: string, n: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const [i, d] = await redis.hmget(keys.month('62', ym), 'i', 'd');
      expect(Number(i ?? 0) + Number(d ?? 0)).toBe(n);
    },
    { timeout: 10_000, interval: 50 },
  );
}

async function index(code: string, query = '', token = admin): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${t.url}/api/v1/index/${code}${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

async function reply(code: string, query = ''): Promise<SafetyIndexReply> {
  const r = await index(code, query);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as SafetyIndexReply;
}

/** Past the in-memory cache of live scores, so the next answer is read or computed again. */
const skipCache = () => clock.advance(11 * 60_000);

beforeAll(async () => {
  t = await startTestServer({ clock });
  redis = t.redis.client();
  admin = await t.login('admin', t.adminPassword);
  wall = await t.userToken('idx-wall', 'wall', A);
  const october = [...month(A, '2026-10', 12, 1), ...month(B, '2026-10', 3, 0)];
  const november = [...month(A, '2026-11', 2, 0), ...month(B, '2026-11', 2, 0)];
  await post([...october, ...november]);
  await counted('202610', october.length);
  await counted('202611', november.length);
});
afterAll(async () => t?.stop());

describe('the 平安指数 of two counties over two months', () => {
  it('scores the county with more crime and a homicide lower, and ranks it below the other', async () => {
    const a = await reply(A, '?month=2026-10');
    const b = await reply(B, '?month=2026-10');
    expect(a).toMatchObject({
      month: '2026-10',
      provisional: false,
      region: { code: A, name: '甘州区', level: 'county' },
    });
    expect(a.score!).toBeLessThan(b.score! - 10);
    expect(a.rank.position).toBeGreaterThan(b.rank.position);
    expect(a.rank).toMatchObject({ of: t.tree.codesAt('county').length, level: 'county' });
    const ind = (r: SafetyIndexReply, id: string) => r.indicators.find((i) => i.id === id)!;
    expect(ind(a, 'homicide')).toMatchObject({ name: '命案', value: 1 });
    expect(ind(a, 'crime').value).toBe(12);
    expect(ind(a, 'homicide').score!).toBeLessThan(ind(b, 'homicide').score!);
    expect(ind(a, 'mediation').value).toBe(0.8);
    expect(a.indicators.reduce((s, i) => s + i.weight, 0)).toBeCloseTo(1, 6);
  });

  it('shows the current month as provisional when no month is asked for, with a trend of both months', async () => {
    const b = await reply(B);
    expect(b).toMatchObject({ month: '2026-11', provisional: true });
    // Four days of October are too little history to expect anything of November from.
    expect(b.indicators.find((i) => i.id === 'crime')).toMatchObject({ baseline: null });
    expect(b.trend).toEqual([
      { month: '2026-10', score: (await reply(B, '?month=2026-10')).score, provisional: false },
      { month: '2026-11', score: b.score, provisional: true },
    ]);
  });

  it('lists the children with their scores for the same month', async () => {
    const city = await reply('6207', '?month=2026-10');
    expect(city.children.map((c) => c.code)).toEqual(t.tree.children('6207').map((c) => c.code));
    expect(city.children.find((c) => c.code === A)!.score).toBe((await reply(A, '?month=2026-10')).score);
    const county = await reply(A, '?month=2026-10');
    expect(county.children).toHaveLength(t.tree.children(A).length);
    expect(county.children.every((c) => typeof c.score === 'number')).toBe(true);
  });

  it('carries how many indicators could be scored, for the region and for each child', async () => {
    const r = await reply(A, '?month=2026-10');
    expect(r.coverage.total).toBe(r.indicators.length);
    expect(r.coverage.scored).toBe(r.indicators.filter((i) => i.score !== null).length);
    const city = await reply(A.slice(0, 4), '?month=2026-10');
    for (const c of city.children) expect(c.coverage).toMatchObject({ total: r.indicators.length });
  });

  it('lists 嘉峪关市’s townships as its children, as the rest of the wall does, not its one county of the same name', async () => {
    const r = await reply('6202');
    expect(r.children.map((c) => c.code)).toEqual(t.tree.info('6202')!.children.map((c) => c.code));
    expect(r.children.length).toBeGreaterThan(1);
    expect(r.children.every((c) => c.code.length === 9)).toBe(true);
  });

  it('keeps a published month as it was when a late event for it arrives', async () => {
    const before = await reply(B, '?month=2026-10');
    const stored = await redis.getBuffer(publishedKey(keys, B, '202610'));
    expect(stored).not.toBeNull();

    const late = [event(B, '2026-10-20T22:00:00+08:00', 'incident', 'homicide', 'reported')];
    await post(late);
    await expect.poll(() => redis.hget(keys.month(B, '202610'), 'c:homicide'), { timeout: 10_000 }).toBe('1');
    skipCache();

    const after = await reply(B, '?month=2026-10');
    expect(after.score).toBe(before.score);
    expect(after.indicators).toEqual(before.indicators);
    expect(await redis.getBuffer(publishedKey(keys, B, '202610'))).toEqual(stored);
  });

  it('moves the provisional month with new events', async () => {
    const before = await reply(A);
    await post([event(A, '2026-11-10T09:00:00+08:00', 'incident', 'criminal', 'reported')]);
    await expect.poll(() => redis.hget(keys.month(A, '202611'), 'c:criminal'), { timeout: 10_000 }).toBe('3');
    skipCache();
    const after = await reply(A);
    expect(after.indicators.find((i) => i.id === 'crime')!.value).toBe(3);
    expect(before.indicators.find((i) => i.id === 'crime')!.value).toBe(2);
  });
});

describe('the index route', () => {
  it('answers inside the caller’s area and refuses outside it', async () => {
    expect((await index(A, '', wall)).status).toBe(200);
    expect((await index(`${A}001`, '?month=2026-10', wall)).status).toBe(200);
    expect((await index(B, '', wall)).status).toBe(403);
    expect((await index('6207', '', wall)).status).toBe(403);
  });

  it('names the month parameter when it is malformed or out of range', async () => {
    for (const month of ['2026-13', '202610', 'latest', '2025-01', '2026-12']) {
      const r = await index(A, `?month=${month}`, wall);
      expect(r.status, month).toBe(400);
      expect(JSON.stringify(r.body), month).toContain('month');
    }
  });

  it('tells a malformed, an unknown region and a missing token apart', async () => {
    expect((await index('62x')).status).toBe(400);
    expect((await index('620799')).status).toBe(404);
    const res = await fetch(`${t.url}/api/v1/index/${A}`);
    expect(res.status).toBe(401);
  });

  it('says there is no data for a month before the system ran', async () => {
    const r = await index(A, '?month=2026-06');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('the turn of the month', () => {
  it('publishes November on 1 December and shows December as the new provisional month', async () => {
    expect(await redis.exists(publishedKey(keys, A, '202611'))).toBe(0);
    clock.set(Date.parse('2026-12-01T00:01:00+08:00'));
    admin = await t.login('admin', t.adminPassword); // November's token has run out
    const december = await reply(A);
    expect(december).toMatchObject({ month: '2026-12', provisional: true });
    const published = december.trend.find((p) => p.month === '2026-11');
    expect(published).toMatchObject({ provisional: false });
    expect(await redis.exists(publishedKey(keys, A, '202611'))).toBe(1);
    const november = await reply(A, '?month=2026-11');
    expect(november).toMatchObject({ provisional: false, score: published!.score });
    // Published within a day of the month's end: the open backlog still describes November.
    expect(november.indicators.find((i) => i.id === 'overdue')!.score).not.toBeNull();
  });
});
