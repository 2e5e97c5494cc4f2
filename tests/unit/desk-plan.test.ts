import { describe, expect, it } from 'vitest';
import { defaultDepartments } from '../../server/departments/defaults.ts';
import { DESK_PLAN, planDesk } from '../../server/simulator/desk-plan.ts';
import { dueSteps } from '../../server/simulator/settle-history.ts';
import type { WarningLevel } from '../../shared/vocab.ts';

const MIN = 60_000;
const limits = { sign: 5 * MIN, report: 30 * MIN, resolve: 1440 * MIN };
const departments = defaultDepartments('620702').map((d) => ({ ...d, region: '620702', builtin: true }));
const T0 = Date.parse('2026-11-01T00:00:00+08:00');
const alert = (i: number, level: WarningLevel = 'red') => ({
  id: `al-${i}`,
  rule: 'homicide_risk',
  region: '620702001001',
  caseId: `c-${i}`,
  level,
  createdAt: T0 + i * 37 * MIN,
});

describe('the simulated desk of a replayed alert', () => {
  it('is the same plan on every run, in time order after creation', () => {
    const a = alert(7);
    expect(planDesk(a, limits, departments)).toEqual(planDesk({ ...a }, limits, departments));
    const steps = planDesk(a, limits, departments);
    expect(steps[0]!.action).toBe('ack');
    expect(steps[0]!.at).toBeGreaterThan(a.createdAt);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!.at).toBeGreaterThanOrEqual(steps[i - 1]!.at);
  });

  it('signs, reports in and resolves mostly in time, some late, a few left in hand', () => {
    const plans = Array.from({ length: 2000 }, (_, i) => ({ a: alert(i), s: planDesk(alert(i), limits, departments) }));
    const share = (f: (p: (typeof plans)[number]) => boolean) => plans.filter(f).length / plans.length;
    const signLate = share(({ a, s }) => s[0]!.at > a.createdAt + limits.sign);
    expect(signLate).toBeGreaterThan(DESK_PLAN.signLate - 0.03);
    expect(signLate).toBeLessThan(DESK_PLAN.signLate + 0.03);
    const inHand = share(({ s }) => !s.some((x) => x.action === 'resolve'));
    expect(inHand).toBeGreaterThan(0.02);
    expect(inHand).toBeLessThan(0.07);
    const resolved = plans.filter(({ s }) => s.some((x) => x.action === 'resolve'));
    const resolveLate =
      resolved.filter(({ a, s }) => s.find((x) => x.action === 'resolve')!.at > a.createdAt + limits.resolve).length /
      resolved.length;
    expect(resolveLate).toBeGreaterThan(0.1);
    expect(resolveLate).toBeLessThan(0.25);
    // Red alerts are dispatched (unless left in hand), to departments of the desk's own region.
    for (const { s } of resolved) {
      const d = s.find((x) => x.action === 'dispatch');
      expect(d).toBeDefined();
      if (d?.action === 'dispatch') for (const dep of d.departments) expect(dep.region).toBe('620702');
      // 办结 only after every department reported in and fed back.
      const resolve = s.find((x) => x.action === 'resolve')!.at;
      for (const x of s) if (x.action === 'checkin' || x.action === 'feedback') expect(x.at).toBeLessThan(resolve);
    }
    // Blue ones mostly without departments.
    const blue = Array.from({ length: 500 }, (_, i) => planDesk(alert(i, 'blue'), limits, departments));
    const dispatched = blue.filter((s) => s.some((x) => x.action === 'dispatch')).length / blue.length;
    expect(dispatched).toBeLessThan(0.3);
  });

  it('takes by now only whole dispatches: a department not yet reported in holds its dispatch back', () => {
    const steps = planDesk(alert(3), limits, departments);
    const dispatch = steps.findIndex((s) => s.action === 'dispatch');
    const checkin = steps.find((s) => s.action === 'checkin')!;
    expect(dueSteps(steps, checkin.at - 1).map((s) => s.action)).toEqual(steps.slice(0, dispatch).map((s) => s.action));
    expect(dueSteps(steps, steps.at(-1)!.at)).toEqual(steps);
    expect(dueSteps(steps, steps[0]!.at - 1)).toEqual([]);
  });
});
