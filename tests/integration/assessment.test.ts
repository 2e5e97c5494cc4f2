import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { AssessmentReply, Figure } from '../../shared/schemas/assessment.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { publishedKey } from '../../server/safety-index/store.ts';
import { useRulesFile } from '../helpers/rules-file.ts';

/**
 * 督办考核 of a crafted month (issue 16): a simulated clock, events through the ingest API, alerts
 * raised by the real rules and worked through the real alert API, then figures checked against
 * numerators and denominators counted by hand below; the month frozen by the timer at 00:05 on
 * the 1st, and a second freeze (and late data) changing nothing.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Tuesday 3 November 2026, 09:00 Beijing. */
const T0 = Date.parse('2026-11-03T09:00:00+08:00');
const clock = new ManualClock(T0);
const keys = createKeys('62');
let t: TestServer;
let restoreRules: (() => void) | undefined;
const tokens: Record<string, string> = {};
const USERS = {
  town: ['as-town', 'duty', '620702001'],
  county: ['as-county', 'duty', '620702'],
  city: ['as-city', 'commander', '6207'],
  other: ['as-other', 'duty', '620702002'],
} as const;
const TOWN = '620702001';
const VILLAGE = '620702001001';
const OTHER_TOWN = '620702002';
let otherVillage: string;
const POLICE = 'dep-620702-police';

async function login(): Promise<void> {
  for (const [k, [name, role, region]] of Object.entries(USERS)) tokens[k] = await t.userToken(name, role, region);
}

async function call(method: string, p: string, who: string, body?: unknown) {
  const res = await fetch(`${t.url}/api/v1${p}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    body: (type.includes('json') ? await res.json() : await res.text()) as Record<string, unknown> & {
      alert?: AlertView;
      alerts?: AlertView[];
    },
  };
}

async function waitFor<T>(read: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dispute = (id: string, region: string, o: { status?: string; risk?: boolean; ageMs?: number } = {}) => ({
  id,
  caseId: id,
  kind: 'dispute',
  category: 'family',
  status: o.status ?? 'received',
  severity: 2,
  region,
  occurredAt: new Date(clock.now() - (o.ageMs ?? MIN)).toISOString(),
  channel: 'grid',
  summary: o.risk ? '邻居反映夫妻争吵，一方持刀' : '家庭纠纷',
  ...(o.risk ? { riskMarkers: ['weapon'] } : {}),
});

const alertIds: Record<string, string> = {};
async function alertOf(name: string): Promise<AlertView> {
  const r = await call('GET', `/alerts/${alertIds[name]}`, 'city');
  return (r.body as unknown as { alert: AlertView }).alert;
}
async function act(name: string, action: string, who: string, body: unknown = {}) {
  const r = await call('POST', `/alerts/${alertIds[name]}/${action}`, who, body);
  expect(r.status, `${action} ${name}: ${JSON.stringify(r.body)}`).toBe(200);
}
const onBehalf = (extra: Record<string, unknown> = {}) => ({
  department: POLICE,
  onBehalf: true,
  reason: '电话报到',
  ...extra,
});

const assessment = async (code: string, month = '2026-11', who = 'county') => {
  const r = await call('GET', `/assessment/${code}?month=${month}`, who);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as unknown as AssessmentReply;
};
const counts = (f: Figure | null) => (f ? [f.num, f.den] : null);

beforeAll(async () => {
  // The overdue rule would raise alerts of its own on the open disputes as the days pass: the
  // month's alerts are exactly the ones this test makes.
  restoreRules = useRulesFile((r) => (r.rules.overdue.enabled = false));
  t = await startTestServer({ clock });
  otherVillage = t.tree.children(OTHER_TOWN)[0]!.code;
  await login();

  // 09:00 — six red alerts in 620702001 (A1–A6), one in 620702002 (A7); four more disputes in
  // 620702001: two resolved, one failed, one received late (occurred two days before: 24 h limit).
  const risky = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'].map((n) => dispute(`as-${n}`, VILLAGE, { risk: true }));
  const others = [
    dispute('as-d1', VILLAGE, { status: 'resolved' }),
    dispute('as-d2', VILLAGE, { status: 'resolved' }),
    dispute('as-d3', VILLAGE, { status: 'failed' }),
    dispute('as-d4', VILLAGE, { ageMs: 2 * DAY }),
  ];
  expect((await t.postEvents([...risky, ...others, dispute('as-A7', otherVillage, { risk: true })])).status).toBe(200);
  const all = await waitFor(async () => {
    const r = await call('GET', '/alerts?region=620702', 'county');
    const list = r.body.alerts ?? [];
    return list.filter((a) => a.caseId?.startsWith('as-A')).length === 7 && list;
  });
  for (const a of all) if (a.caseId?.startsWith('as-A')) alertIds[a.caseId.slice(3)] = a.id;

  // 09:02 — A1, A4, A5, A6, A7 signed in time (red: 5 minutes); A1 and A4 dispatched to the
  // county's 公安局 (report in within 30 minutes: by 09:32); A5 and A6 supervised by the city
  // with deadlines 11:00 and 12:00.
  clock.set(T0 + 2 * MIN);
  for (const n of ['A1', 'A4', 'A5', 'A6']) await act(n, 'ack', 'town');
  await act('A7', 'ack', 'other');
  for (const n of ['A1', 'A4']) await act(n, 'dispatch', 'town', { departments: [POLICE] });
  await act('A5', 'supervise', 'city', { deadline: new Date(T0 + 2 * HOUR).toISOString() });
  await act('A6', 'supervise', 'city', { deadline: new Date(T0 + 3 * HOUR).toISOString() });

  // 09:10 — A2 and A3 missed their 5 minutes: the timer escalates them; A2 is then signed at the
  // county. 公安局 reports in on A1 in time.
  clock.set(T0 + 10 * MIN);
  await waitFor(async () => (await alertOf('A2')).desk !== TOWN && (await alertOf('A3')).desk !== TOWN);
  await act('A2', 'ack', 'county');
  await act('A1', 'checkin', 'town', onBehalf());
  clock.set(T0 + 20 * MIN);
  await act('A1', 'feedback', 'town', onBehalf({ text: '已上门处置', result: 'handled' }));

  // 09:45 — 公安局 reports in on A4 thirteen minutes late.
  clock.set(T0 + 45 * MIN);
  await act('A4', 'checkin', 'town', onBehalf());

  // 10:00 — A1 and A5 resolved (in time; A5 before its supervision deadline).
  clock.set(T0 + HOUR);
  await act('A1', 'resolve', 'town', { note: '已化解' });
  await act('A5', 'resolve', 'town', { note: '已化解' });

  // 5 November — A4 resolved, two days after it was raised (red: 24 hours), without feedback.
  clock.set(T0 + 2 * DAY);
  await login();
  await act('A4', 'resolve', 'town', { note: '已化解' });

  // 6 November, 12:00: the month so far.
  clock.set(T0 + 3 * DAY + 3 * HOUR);
  await login();
}, 90_000);

afterAll(async () => {
  await t?.stop();
  restoreRules?.();
});

describe('督办考核 of a crafted month', () => {
  it('matches the figures counted by hand for the desk 620702001 and the department 公安局', async () => {
    const r = await assessment('620702');
    expect(r).toMatchObject({ month: '2026-11', provisional: true, problemRegister: true });
    const town = r.desks.find((d) => d.code === TOWN)!;
    const f = town.figures;
    // 签收: A1 A4 A5 A6 signed within 5 minutes; A2 (escalated by the timer, then signed) and A3 (never) late.
    expect(counts(f.signOnTime)).toEqual([4, 6]);
    // 办结 within 24 h: A1 and A5; A4 after two days; A2, A3, A6 unresolved past 24 h.
    expect(counts(f.resolveOnTime)).toEqual([2, 6]);
    // 督办: A5 resolved before its deadline, A6 past it.
    expect(counts(f.supervisionOnTime)).toEqual([1, 2]);
    // 化解率: 2 resolved of 10 disputes (A1–A6 and d1–d4); 调解成功率: 2 of 2 + 1 failed.
    expect(counts(f.disputeResolution)).toEqual([2, 10]);
    expect(counts(f.mediationSuccess)).toEqual([2, 3]);
    // 上报及时率: 10 reports, d4 received two days after it occurred.
    expect(counts(f.reportOnTime)).toEqual([9, 10]);
    // The register is wired (server/problems/) and holds no problem of the month: no rate to give.
    expect(f.problemsClosed).toMatchObject({ num: 0, den: 0, rate: null });
    expect(f.signOnTime!.rate).toBeCloseTo(4 / 6, 10);
    // Ranked: the only desk with at least 5 alerts; 620702002's 1 of 1 is shown as counts, unranked.
    expect(f.signOnTime!.rank).toBe(1);
    const other = r.desks.find((d) => d.code === OTHER_TOWN)!;
    expect(counts(other.figures.signOnTime)).toEqual([1, 1]);
    expect(other.figures.signOnTime!.rank).toBeNull();
    expect(counts(other.figures.resolveOnTime)).toEqual([0, 1]);
    // The county's own row: the sum of its townships.
    expect(counts(r.own.figures.signOnTime)).toEqual([5, 7]);
    expect(counts(r.own.figures.resolveOnTime)).toEqual([2, 7]);

    const police = r.departments.find((d) => d.id === POLICE)!;
    expect(police.name).toBe('公安局');
    // 报到: A1 at 09:10 (deadline 09:32) in time, A4 at 09:45 late.
    expect(counts(police.figures.checkinOnTime)).toEqual([1, 2]);
    // 反馈: A1 fed back; A4 resolved without a feedback.
    expect(counts(police.figures.feedbackRate)).toEqual([1, 2]);
    // The register is wired and the department owns no milestone: none overdue.
    expect(police.milestonesOverdue).toBe(0);

    // The city's own departments did none of this work; its 各县 table sums 620702's (any level).
    const city = await assessment('6207', '2026-11', 'city');
    expect(city.departments.every((d) => d.figures.checkinOnTime === null || d.figures.checkinOnTime.den === 0)).toBe(
      true,
    );
    const byCounty = city.departmentsByChild!;
    expect(byCounty.map((c) => c.code).sort()).toEqual(city.desks.map((d) => d.code).sort());
    const county = byCounty.find((c) => c.code === '620702')!;
    expect(county.departments).toBe(1);
    expect(counts(county.figures.checkinOnTime)).toEqual([1, 2]);
    expect(counts(county.figures.feedbackRate)).toEqual([1, 2]);
    expect(byCounty.filter((c) => c.code !== '620702').every((c) => c.departments === 0)).toBe(true);
    // A township's children are villages, which have no departments: no such table.
    expect((await assessment(TOWN, '2026-11', 'town')).departmentsByChild).toBeUndefined();
  });

  it('refuses a future or malformed month, a village and a region outside the caller’s, naming the field', async () => {
    const future = await call('GET', '/assessment/620702?month=2026-12', 'county');
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('month: 2026-12 has not begun');
    const bad = await call('GET', '/assessment/620702?month=2026-13', 'county');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('month');
    const old = await call('GET', '/assessment/620702?month=2001-01', 'county');
    expect(old.status).toBe(400);
    expect(JSON.stringify(old.body)).toContain('month: must be within');
    const out = await call('GET', '/assessment/620702', 'town');
    expect(out.status).toBe(403);
    expect(JSON.stringify(out.body)).toContain('code: region 620702 is outside your area');
    const village = await call('GET', `/assessment/${VILLAGE}`, 'county');
    expect(village.status).toBe(404);
    expect(JSON.stringify(village.body)).toContain('code:');
    const fmt = await call('GET', '/assessment/620702/export?format=pdf', 'county');
    expect(fmt.status).toBe(400);
    expect(JSON.stringify(fmt.body)).toContain('format');
  });

  it('is frozen by the timer at 00:05 on 1 December, with the 平安指数, and a second freeze or late data changes nothing', async () => {
    const live = await assessment('620702');
    clock.set(Date.parse('2026-12-01T00:04:00+08:00'));
    await login();
    // 00:04: November is not due yet (October, without data, is not marked done either).
    expect(await t.server.monthlyFreeze.tick()).toBeUndefined();
    expect(await t.server.redis.exists(keys.assessment('620702', '202611'))).toBe(0);
    clock.set(Date.parse('2026-12-01T00:05:00+08:00'));
    expect(await t.server.monthlyFreeze.tick()).toBe('202611');
    // Frozen before anyone asked: the assessment of every assessed region, and the index's publication.
    expect(await t.server.redis.exists(keys.assessment('620702', '202611'))).toBe(1);
    expect(await t.server.redis.exists(keys.assessment(TOWN, '202611'))).toBe(1);
    expect(await t.server.redis.exists(publishedKey(keys, '620702', '202611'))).toBe(1);
    expect(await t.server.redis.exists(keys.monthFrozen('202611'))).toBe(1);

    const frozen = await assessment('620702');
    expect(frozen.provisional).toBe(false);
    const town = frozen.desks.find((d) => d.code === TOWN)!;
    // Judged at 00:05 on the 1st: nothing changed since 6 November.
    expect(town.figures).toEqual(live.desks.find((d) => d.code === TOWN)!.figures);
    const raw = await t.server.redis.getBuffer(keys.assessment('620702', '202611'));

    // Late data for November: a resolved dispute, and A7 resolved now. The frozen month stays.
    expect((await t.postEvents([dispute('as-late', VILLAGE, { status: 'resolved', ageMs: 2 * DAY })])).status).toBe(
      200,
    );
    await act('A7', 'resolve', 'other', { note: '已化解' });
    await waitFor(async () => Number(await t.server.redis.hget(keys.month(TOWN.slice(0, 6), '202611'), 'd')) === 12);
    expect(await t.server.assessment.freezeMonth('202611')).toBe(0);
    expect(await t.server.monthlyFreeze.tick()).toBeUndefined();
    expect(await t.server.redis.getBuffer(keys.assessment('620702', '202611'))).toEqual(raw);
    expect((await assessment('620702')).desks.find((d) => d.code === TOWN)!.figures).toEqual(town.figures);
  }, 180_000);
});
