/**
 * Everything born in a time window: ordinary incidents and disputes with the daily and weekly
 * rhythm, plus the rare processes (homicides, spikes). Drawing *when* things arrive is separate
 * from planning *what* each arrival is, so an arrival can be re-planned from its own seed without
 * re-planning its neighbours (see window.ts).
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

/**
 * Every rate times `factor` (SIMULATOR_SCALE): more or fewer cases of the same mix. The default
 * rates are Gansu's volume whatever the deployment serves (a demo's load does not grow 56-fold
 * with the national root); several provinces share it by population (world.ts). The whole
 * country at Gansu's rate per person is a factor of 1,409,778,724 / 25,019,831 ≈ 56.3.
 */
export function scaledRates(rates: Rates, factor: number): Rates {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`simulator scale must be > 0, got ${factor}`);
  return {
    incidentsPerDay: rates.incidentsPerDay * factor,
    disputesPerDay: rates.disputesPerDay * factor,
    homicidesPerDay: rates.homicidesPerDay * factor,
    spikesPerDay: rates.spikesPerDay * factor,
  };
}

/** One arrival: an incident, a dispute (maybe starting a series), a homicide or a spike. */
export interface Arrival {
  kind: 'incident' | 'dispute' | 'homicide' | 'spike';
  t: number;
}

/** Arrivals in [from, to), kind by kind, each kind in time order. Cheap: a few draws per arrival. */
export function arrivalsIn(rand: Rand, from: number, to: number, rates: Rates): Arrival[] {
  const of = (kind: Arrival['kind'], perDay: number): Arrival[] =>
    // Homicides and spikes follow the incident rhythm: bar brawls at 10 p.m., not at 4 a.m.
    rhythmicArrivals(rand, kind === 'dispute' ? 'dispute' : 'incident', from, to, perDay).map((t) => ({ kind, t }));
  return [
    ...of('incident', rates.incidentsPerDay),
    ...of('dispute', rates.disputesPerDay),
    ...of('homicide', rates.homicidesPerDay),
    ...of('spike', rates.spikesPerDay),
  ];
}

/** The cases one arrival brings: one, or a dispute and its follow-ups, or a spike's incidents. */
export function planArrival(world: World, a: Arrival, rand: Rand): CasePlan[] {
  switch (a.kind) {
    case 'incident':
      return [newIncident(world, rand, a.t)];
    case 'dispute':
      return newDispute(world, rand, a.t);
    case 'homicide':
      return [newHomicide(world, rand, a.t)];
    case 'spike':
      return newSpike(world, rand, a.t);
  }
}
