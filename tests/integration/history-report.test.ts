/**
 * The demo's last complete month (issue 16): the simulator's older history fills February (at a
 * small rate) while the feed is live; meanwhile February is neither frozen by the monthly timer
 * nor by a request, and its 通报 says it is still being filled. Once the history is in, the timer
 * freezes it, and the 通报, the 督办考核 and the 平安指数 of February carry figures that match the
 * month counters, with the demo register's problems of February and its alerts (raised as of
 * February, settled by the simulated desks). Re-freezing changes nothing.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssessmentReply } from '../../shared/schemas/assessment.ts';
import type { SafetyIndexReply } from '../../shared/schemas/safety-index.ts';
import { ManualClock } from '../../server/clock.ts';
import type { Ingest } from '../../server/ingest/ingest.ts';
import { seedDemoProblems } from '../../server/problems/demo.ts';
import { startSimulator, type Simulator } from '../../server/simulator/simulator.ts';
import { stateKey } from '../../server/simulator/state.ts';
import { prng } from '../helpers/prng.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/until.ts';

const MONTH = '202602';
const clock = new ManualClock(Date.parse('2026-03-03T10:00:00+08:00'));
const FEB_END = Date.parse('2026-03-01T00:00:00+08:00');
let t: TestServer;
let sim: Simulator | undefined;
let token: string;

/** Ingest that, once a batch of February has gone through, holds the next one until released. */
function gatedIngest(real: Ingest) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const state = { passed: 0, holding: false };
  const ingest: Ingest = async (raws, source, opts) => {
    const february = (raws as { occurredAt: string }[]).some((e) => Date.parse(e.occurredAt) < FEB_END);
    if (february && state.passed > 0) {
      state.holding = true;
      await released;
    }
    const r = await real(raws, source, opts);
    if (february) state.passed++;
    return r;
  };
  return { ingest, state, release };
}

async function get(path: string): Promise<Response> {
  return fetch(`${t.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}
const report = async () => (await get(`/reports/monthly/62?month=2026-02&format=html`)).text();

const gate = { current: undefined as ReturnType<typeof gatedIngest> | undefined };

beforeAll(async () => {
  t = await startTestServer({ clock });
  token = await t.userToken('hr-province', 'commander', '62');
  expect(await seedDemoProblems(t.server.problems)).toBeGreaterThan(0);
  gate.current = gatedIngest(t.server.ingest);
  sim = await startSimulator({
    ingest: gate.current.ingest,
    redis: t.server.redis,
    tree: t.tree,
    logger: pino({ level: 'silent' }),
    speed: 1,
    backfillDays: 1,
    clock,
    rand: prng(16),
    // ~150 arrivals a day: a month in seconds, enough for every city to have disputes.
    rates: { incidentsPerDay: 100, disputesPerDay: 50, homicidesPerDay: 0.2, spikesPerDay: 0 },
    history: { alerts: t.server.alerts, drained: () => t.server.drained() },
    olderHistory: { backlog: () => t.server.backlog() },
  });
  await sim.ready;
}, 120_000);

afterAll(async () => {
  gate.current?.release();
  await sim?.stop();
  await t?.stop();
});

describe('last month’s 通报 from the demo’s backfilled history', () => {
  it('does not freeze February while its history is still arriving, and says so', async () => {
    const g = gate.current!;
    await until('the first batch of February sent and the next held', async () => g.state.holding);
    await until('the first batch counted', () => t.server.drained());
    const redis = t.server.redis;
    expect(Number(await redis.hget(`pa:{62}:mon:62:${MONTH}`, 'i'))).toBeGreaterThan(0);
    expect(await redis.exists('pa:{62}:histfill')).toBe(1);
    expect(await t.server.monthlyFreeze.tick()).toBeUndefined();
    const asked = (await (await get(`/assessment/62?month=2026-02`)).json()) as AssessmentReply;
    expect(asked.provisional).toBe(true);
    expect(await report()).toContain('本月历史数据仍在回填，以上为暂估数');
    const index = (await (await get(`/index/62?month=2026-02`)).json()) as SafetyIndexReply;
    expect(index.provisional).toBe(true);
    // Neither the timer nor the requests froze or published anything of February.
    expect(await redis.exists(`pa:{62}:asmdone:${MONTH}`, `pa:{62}:asm:62:${MONTH}`)).toBe(0);
    expect(await t.server.assessment.freezeMonth(MONTH)).toBe(0);
    g.release();
  }, 150_000);

  it('freezes February once its history is in, with figures that match the counters', async () => {
    const redis = t.server.redis;
    await until(
      'the older history done',
      async () => (await redis.hexists(stateKey('62'), 'olderDone')) === 1,
      240_000,
    );
    // Cleared once the older history's alerts are settled too.
    await until('the history mark cleared', async () => (await redis.exists('pa:{62}:histfill')) === 0);
    await until('the history counted', () => t.server.drained());
    await t.server.monthlyFreeze.tick();
    expect(await redis.exists(`pa:{62}:asmdone:${MONTH}`)).toBe(1);

    // Headline: the province's month counters.
    const [i, d] = (await redis.hmget(`pa:{62}:mon:62:${MONTH}`, 'i', 'd')).map(Number);
    expect(i).toBeGreaterThan(1000);
    expect(d).toBeGreaterThan(500);
    const html = await report();
    expect(html).toContain(`共接报警情${i}起、矛盾纠纷${d}件`);
    expect(html).toContain('本月数据覆盖全月28天');
    expect(html).toContain('以上数字已固化');
    expect(html).not.toContain('回填，以上为暂估数');

    // 督办考核: every city's dispute figures from its own counters, ranked among the cities.
    const a = (await (await get(`/assessment/62?month=2026-02`)).json()) as AssessmentReply;
    expect(a.provisional).toBe(false);
    const cities = t.tree.info('62')!.children;
    expect(a.desks.map((r) => r.code).sort()).toEqual(cities.map((c) => c.code).sort());
    for (const row of a.desks) {
      const [cd, resolved, failed] = (
        await redis.hmget(`pa:{62}:mon:${row.code}:${MONTH}`, 'd', 'o:resolved', 'o:failed')
      ).map(Number);
      expect(cd, row.name).toBeGreaterThan(0);
      expect(row.figures.disputeResolution).toMatchObject({ num: Math.min(resolved!, cd!), den: cd });
      expect(row.figures.mediationSuccess).toMatchObject({ num: resolved, den: resolved! + failed! });
      expect(row.figures.reportOnTime?.den, row.name).toBeGreaterThan(0);
    }
    expect(a.desks.filter((r) => (r.figures.disputeResolution?.rank ?? null) !== null).length).toBeGreaterThan(5);
    expect(a.own.figures.disputeResolution?.den).toBe(d);
    // February's alerts were raised as of February and taken through their desks' steps then:
    // 签收 and 办结 of the month are counted, not empty.
    expect(a.own.figures.signOnTime?.den).toBeGreaterThan(0);
    expect(a.own.figures.signOnTime?.num).toBeGreaterThan(0);
    expect(a.own.figures.resolveOnTime?.num).toBeGreaterThan(0);
    // The demo register's February: one struck off, one open with a milestone overdue at the month's end.
    expect(html).toContain('城区夜市噪音扰民反复投诉');
    expect(html).toContain('农民工工资拖欠集中反映');
    expect(html).toContain('启动欠薪保障金兑付');

    // 平安指数: published, every city scored and ranked in the 通报.
    const index = (await (await get(`/index/62?month=2026-02`)).json()) as SafetyIndexReply;
    expect(index.provisional).toBe(false);
    expect(index.children.every((c) => c.score !== null)).toBe(true);
    for (const c of cities.slice(0, 3)) expect(html).toContain(c.name);

    // Frozen is frozen: a second freeze writes nothing, and the reply is the same.
    expect(await t.server.assessment.freezeMonth(MONTH)).toBe(0);
    const again = (await (await get(`/assessment/62?month=2026-02`)).json()) as AssessmentReply;
    expect(again).toEqual(a);
  }, 300_000);
});
