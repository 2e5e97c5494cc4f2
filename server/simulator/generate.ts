/**
 * Everything born in a time window: ordinary incidents and disputes with the daily and weekly
 * rhythm, plus the rare processes (homicides, spikes). Pure given `rand`: the same seed and
 * window give the same cases.
 */
import { newDispute } from './disputes.ts';
import { newHomicide, newIncident } from './incidents.ts';
import type { CasePlan } from './plan.ts';
import type { Rand } from './prng.ts';
import { DEFAULT_INCIDENTS_PER_DAY, DISPUTES_PER_DAY, HOMICIDES_PER_MONTH, SPIKES } from './rates.ts';
import { rhythmicArrivals } from './rhythm.ts';
import { newSpike } from './spikes.ts';
import type { World } from './world.ts';

export interface Rates {
  incidentsPerDay: number;
  disputesPerDay: number;
  homicidesPerDay: number;
  spikesPerDay: number;
}

export function defaultRates(incidentsPerDay = DEFAULT_INCIDENTS_PER_DAY): Rates {
  return {
    incidentsPerDay,
    disputesPerDay: DISPUTES_PER_DAY,
    homicidesPerDay: (HOMICIDES_PER_MONTH * 12) / 365,
    spikesPerDay: SPIKES.perDay,
  };
}

/** Cases whose first step falls in [from, to) — and the follow-ups they bring — oldest first. */
export function planCases(world: World, rand: Rand, from: number, to: number, rates: Rates): CasePlan[] {
  const plans: CasePlan[] = [];
  for (const t of rhythmicArrivals(rand, 'incident', from, to, rates.incidentsPerDay)) {
    plans.push(newIncident(world, rand, t));
  }
  for (const t of rhythmicArrivals(rand, 'dispute', from, to, rates.disputesPerDay)) {
    plans.push(...newDispute(world, rand, t));
  }
  for (const t of rhythmicArrivals(rand, 'incident', from, to, rates.homicidesPerDay)) {
    plans.push(newHomicide(world, rand, t));
  }
  // Spikes follow the incident rhythm: bar brawls at 10 p.m., not at 4 a.m.
  for (const t of rhythmicArrivals(rand, 'incident', from, to, rates.spikesPerDay)) {
    plans.push(...newSpike(world, rand, t));
  }
  return plans.sort((a, b) => a.steps[0]!.at - b.steps[0]!.at);
}
