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
