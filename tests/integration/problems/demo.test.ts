import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoProblems } from '../../../server/problems/demo.ts';
import { currentMonth, monthStart } from '../../../server/safety-index/months.ts';
import { shiftMonth } from '../../../server/time/beijing.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

/**
 * The embedded demo's 重点问题, registered and worked through the desks' own service: each stands
 * where the wall's panel and last month's 通报 need it, and a second start adds none.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

it('registers the five demo problems once, each worked as far as its story says', async () => {
  const problems = t.server.problems;
  expect(await seedDemoProblems(problems)).toBe(5);
  expect(await seedDemoProblems(problems)).toBe(0);
  const ids = await problems.store.ids('62', 'all', 100);
  const all = await Promise.all(ids.map(async (id) => (await problems.store.read(id))!.problem));
  const byTitle = new Map(all.map((p) => [p.title, p]));
  expect(all).toHaveLength(5);
  const lastMonth = monthStart(shiftMonth(currentMonth(problems.now()), -1));
  const thisMonth = monthStart(currentMonth(problems.now()));

  // Last month: one struck off within it, one down a star with a milestone still open.
  const noise = byTitle.get('城区夜市噪音扰民反复投诉')!;
  expect(noise).toMatchObject({ state: 'closed', stars: 0, starsAtStart: 2 });
  expect(noise.struckAt).toBeGreaterThanOrEqual(lastMonth);
  expect(noise.struckAt).toBeLessThan(thisMonth);
  const wages = byTitle.get('农民工工资拖欠集中反映')!;
  expect(wages).toMatchObject({ state: 'open', stars: 1, starsAtStart: 3 });
  expect(wages.createdAt).toBeLessThan(thisMonth);
  expect(wages.milestones.map((m) => m.state)).toEqual(['verified', 'open']);

  // This month: one worked down a star (its second milestone past its deadline), one just started, one struck off.
  const land = byTitle.get('某村土地承包纠纷积案')!;
  expect(land).toMatchObject({ state: 'open', stars: 2, starsAtStart: 3 });
  expect(land.milestones[1]!.deadline).toBeLessThan(problems.now());
  expect(byTitle.get('校园周边治安乱点整治')).toMatchObject({ state: 'open', stars: 4 });
  expect(byTitle.get('校园周边治安乱点整治')!.milestones.map((m) => m.state)).toEqual(['done', 'open', 'open']);
  const property = byTitle.get('某小区物业纠纷群体信访')!;
  expect(property).toMatchObject({ state: 'closed', stars: 0 });
  expect(property.struckAt).toBeGreaterThanOrEqual(thisMonth);
});

it('keeps a problem worked through its past in that past when the overdue sweep flags it in between', async () => {
  // The demo registers last month's problems, then takes their steps at their own times; the
  // server's sweep may flag a milestone whose deadline has passed in between (it did on a loaded
  // CI machine, and the problem was struck off "now", outside last month's 通报).
  const problems = t.server.problems;
  const lastMonth = monthStart(shiftMonth(currentMonth(problems.now()), -1));
  const day = (d: number) => lastMonth + d * 86_400_000 + 9 * 3_600_000;
  const r = await problems.register(
    {
      region: '620402',
      desk: '620402',
      title: '补录的上月问题',
      description: '测试：上月登记、上月销号',
      stars: 1,
      lead: 'dep-620402-market',
      partners: [],
      milestones: [{ title: '整改', deadline: day(9), weight: 1 }],
      alerts: [],
      by: 'test',
    },
    day(2),
  );
  if (!r.ok) throw new Error(`not registered: ${r.field}`);
  expect(await problems.flagOverdue()).toBeGreaterThanOrEqual(1);
  const owner = r.problem.milestones[0]!.owner.id;
  expect(
    (
      await problems.step(
        r.problem.id,
        { kind: 'done', n: 1, department: owner, evidence: '已完成', by: 'test' },
        day(7),
      )
    ).ok,
  ).toBe(true);
  expect((await problems.step(r.problem.id, { kind: 'verify', n: 1, by: 'test' }, day(8))).ok).toBe(true);
  const p = (await problems.store.read(r.problem.id))!.problem;
  expect(p.state).toBe('closed');
  // Flagged at its deadline, so the steps after it are dated no earlier than that, within last month.
  expect(p.milestones[0]!.overdueAt).toBe(day(9));
  expect(p.struckAt).toBe(day(9));
});
