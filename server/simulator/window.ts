/**
 * The unit of planning: a window of simulated time whose cases are a pure function of its record
 * (seed, window, rates, first case number, time mapping). The record is stored before any of its
 * events is sent, so after a restart any arrival of the window can be re-planned alone — from
 * the seed derived for it — and comes out with the same ids and the same content.
 */
import { toEvents, type Outgoing } from './events.ts';
import { arrivalsIn, planArrival, type Rates } from './generate.ts';
import type { CasePlan } from './plan.ts';
import { derive, mulberry32 } from './prng.ts';
import type { World } from './world.ts';

export interface WindowSpec {
  seed: number;
  /** Simulated time [from, to) in which the window's arrivals are born. */
  from: number;
  to: number;
  rates: Rates;
}

export interface WindowRecord extends WindowSpec {
  /** First case number; arrival by arrival, their cases are numbered consecutively from here. */
  seq: number;
  /** How many arrivals and cases the window had: a re-plan that disagrees is refused. */
  arrivals: number;
  cases: number;
  /** Simulated → real time: real = anchor + (sim − anchor) / speed (the process's own mapping). */
  anchor: number;
  speed: number;
}

export interface PlannedArrival {
  /** Index of the arrival in the window, the key of its seed. */
  g: number;
  plans: CasePlan[];
}

/** The window's arrivals, all of them or only those in `only`; each from its own seed. */
export function planWindow(
  world: World,
  w: WindowSpec,
  only?: ReadonlySet<number>,
): { arrivals: number; planned: PlannedArrival[] } {
  const arrivals = arrivalsIn(mulberry32(w.seed), w.from, w.to, w.rates);
  const planned: PlannedArrival[] = [];
  arrivals.forEach((a, g) => {
    if (!only || only.has(g)) planned.push({ g, plans: planArrival(world, a, mulberry32(derive(w.seed, g))) });
  });
  return { arrivals: arrivals.length, planned };
}

export function casesIn(planned: readonly PlannedArrival[]): number {
  return planned.reduce((n, p) => n + p.plans.length, 0);
}

export function realTime(w: Pick<WindowRecord, 'anchor' | 'speed'>): (sim: number) => number {
  return (sim) => w.anchor + (sim - w.anchor) / w.speed;
}

/** One arrival's cases as events (one list per case), and the latest delivery among them. */
export interface ArrivalEvents {
  g: number;
  /** Case number of its first case. */
  seq: number;
  cases: Outgoing[][];
  last: number;
}

export function arrivalEvents(p: PlannedArrival, seq: number, toReal: (sim: number) => number): ArrivalEvents {
  const cases = p.plans.map((plan, k) => toEvents(plan, seq + k, toReal));
  const last = Math.max(...cases.flat().map((o) => o.sendAt));
  return { g: p.g, seq, cases, last };
}

/** A freshly planned window's events, numbered from `w.seq` in arrival order. */
export function windowEvents(w: WindowRecord, planned: readonly PlannedArrival[]): ArrivalEvents[] {
  const toReal = realTime(w);
  let seq = w.seq;
  return planned.map((p) => {
    const out = arrivalEvents(p, seq, toReal);
    seq += p.plans.length;
    return out;
  });
}
