/** Lifecycle planning: order, outcome shares, SLA behaviour and delivery order. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../server/aggregate/sla.ts';
import { OFFSET_MS } from '../../server/time/beijing.ts';
import { deliveryTimes, inOfficeHours, planDispute, planIncident } from '../../server/simulator/lifecycle.ts';
import { mulberry32 } from '../../server/simulator/prng.ts';
import { LATE_DISPATCH_SHARE, MEDIATION_SUCCESS } from '../../server/simulator/rates.ts';
import { DISPUTE_CATEGORIES, INCIDENT_CATEGORIES } from '../../shared/vocab.ts';

const T0 = Date.parse('2026-03-16T09:30:00+08:00');
const HOUR = 3_600_000;

describe('dispute lifecycle', () => {
  const rand = mulberry32(11);
  const plans = Array.from({ length: 20_000 }, (_, i) => {
    const category = DISPUTE_CATEGORIES[i % DISPUTE_CATEGORIES.length]!;
    const t0 = T0 + (i % 97) * 17 * 60_000; // receipt times spread over the day and night
    return { category, t0, plan: planDispute(rand, category, t0, 1) };
  });

  it('goes received → dispatched → mediating → resolved|failed [→ verified], strictly later each step', () => {
    const bad = plans.filter(({ plan, t0 }) => {
      const statuses = plan.steps.map((s) => s.status).join(' ');
      const expected = `received dispatched mediating ${plan.outcome}`;
      const ordered = plan.steps.every((s, i) => i === 0 || s.at > plan.steps[i - 1]!.at);
      return (statuses !== expected && statuses !== `${expected} verified`) || plan.steps[0]!.at !== t0 || !ordered;
    });
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('ends resolved for ~75% of mediated disputes (Gansu 2024: 358,200 of 479,100)', () => {
    expect(MEDIATION_SUCCESS).toBeCloseTo(0.748, 3);
    const resolved = plans.filter((p) => p.plan.outcome === 'resolved').length / plans.length;
    expect(Math.abs(resolved - 0.75)).toBeLessThan(0.015);
  });

  it('dispatches on time except for a few percent, which are late past their SLA', () => {
    let late = 0;
    const wrong = plans.filter(({ plan, category, t0 }) => {
      const waited = plan.steps[1]!.at - t0;
      const sla = DEFAULT_SLA[category].dispatchMs;
      if (plan.lateDispatch) late++;
      return plan.lateDispatch ? waited <= sla : waited >= sla;
    });
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(late / plans.length).toBeGreaterThan(LATE_DISPATCH_SHARE - 0.01);
    expect(late / plans.length).toBeLessThan(LATE_DISPATCH_SHARE + 0.01);
  });

  it('takes minutes to hours to dispatch and days to resolve', () => {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const dispatch = median(plans.map((p) => p.plan.steps[1]!.at - p.t0));
    const resolve = median(plans.map((p) => p.plan.steps[3]!.at - p.t0));
    expect(dispatch).toBeGreaterThan(10 * 60_000);
    expect(dispatch).toBeLessThan(6 * HOUR);
    expect(resolve).toBeGreaterThan(12 * HOUR);
    expect(resolve).toBeLessThan(7 * 24 * HOUR);
  });

  it('marks a few family/neighbour/debt disputes as escalating, with a higher severity', () => {
    const esc = plans.filter((p) => p.plan.steps[2]!.riskMarkers?.includes('escalating'));
    expect(esc.length).toBeGreaterThan(20);
    for (const p of esc) {
      expect(['family', 'neighbour', 'debt']).toContain(p.category);
      expect(p.plan.steps[2]!.severity).toBe(2);
    }
  });
});

describe('office hours', () => {
  it('moves a night step to the next morning and leaves a day step alone', () => {
    const rand = mulberry32(1);
    const noon = Date.parse('2026-03-16T12:00:00+08:00');
    expect(inOfficeHours(rand, noon)).toBe(noon);
    const night = Date.parse('2026-03-16T23:00:00+08:00');
    const moved = inOfficeHours(rand, night);
    const hour = new Date(moved + OFFSET_MS).getUTCHours();
    expect(moved).toBeGreaterThan(night);
    expect(hour).toBeGreaterThanOrEqual(8);
    expect(hour).toBeLessThan(11);
  });
});

describe('incident lifecycle', () => {
  it('goes reported → handling → closed within three weeks', () => {
    const rand = mulberry32(12);
    for (let i = 0; i < 5000; i++) {
      const steps = planIncident(rand, INCIDENT_CATEGORIES[i % INCIDENT_CATEGORIES.length]!, T0);
      expect(steps.map((s) => s.status)).toEqual(['reported', 'handling', 'closed']);
      expect(steps[1]!.at).toBeGreaterThan(steps[0]!.at);
      expect(steps[2]!.at).toBeGreaterThan(steps[1]!.at);
      expect(steps[2]!.at - T0).toBeLessThan(23 * 24 * HOUR);
    }
  });
});

describe('delivery', () => {
  it('never delivers before the event, and now and then delivers a step after the next one', () => {
    const rand = mulberry32(13);
    let swapped = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const times = [0, 10 * 60_000, 50 * 60_000];
      const send = deliveryTimes(rand, times);
      send.forEach((s, j) => expect(s).toBeGreaterThanOrEqual(times[j]!));
      if (send[0]! > send[1]! || send[1]! > send[2]!) swapped++;
    }
    expect(swapped / n).toBeGreaterThan(0.03);
    expect(swapped / n).toBeLessThan(0.09);
  });

  it('does not hold a step back for days', () => {
    const rand = mulberry32(14);
    for (let i = 0; i < 5000; i++) {
      const send = deliveryTimes(rand, [0, 3 * 24 * HOUR]);
      expect(send[0]).toBe(0);
    }
  });
});
