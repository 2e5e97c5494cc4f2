/** New incident cases (案事件、警情): reported → handling → closed. */
import type { IncidentCategory, RiskMarker } from '../../shared/vocab.ts';
import type { PointLngLat } from '../regions/point-in-county.ts';
import { deliveryTimes, planIncident, reportedLate } from './lifecycle.ts';
import type { CasePlan } from './plan.ts';
import { chance, hex, intBetween, pickWeighted, stableHash, type Rand } from './prng.ts';
import { CHRONIC_PETITIONERS, INCIDENT_CATEGORY_SHARES, INCIDENT_CHANNELS, INCIDENT_SEVERITIES } from './rates.ts';
import { pickIssue } from './text.ts';
import type { Place } from './weights.ts';
import { locate, pickCounty, pickPlace, type World } from './world.ts';

export interface IncidentOverrides {
  category?: IncidentCategory;
  place?: Place;
  location?: PointLngLat;
  severity?: number;
  riskMarkers?: RiskMarker[];
  spike?: boolean;
  /** The party of a petition (a petitioner seen before). */
  parties?: string[];
}

/** Markers police attach to a few incidents (crowds at petitions and brawls, knives in assaults). */
function incidentMarkers(rand: Rand, category: IncidentCategory): RiskMarker[] {
  const out: RiskMarker[] = [];
  if ((category === 'public_order' || category === 'petition') && chance(rand, 0.005)) out.push('mass_gathering');
  if (category === 'criminal' && chance(rand, 0.01)) out.push('weapon');
  if ((category === 'criminal' || category === 'public_order') && chance(rand, 0.01)) out.push('minor_involved');
  return out;
}

/**
 * Stable ids of a county's chronic petitioners: the same person petitions again and again
 * (重复访), which the repeat rule must see. Derived from the county code, not random, so they stay
 * the same across restarts.
 */
export function chronicPetitioner(county: string, k: number): string {
  return `p_${stableHash(`${county}:petitioner:${k}`).toString(16).padStart(8, '0')}`;
}

export function newIncident(world: World, rand: Rand, t0: number, o: IncidentOverrides = {}): CasePlan {
  const category = o.category ?? pickWeighted(rand, INCIDENT_CATEGORY_SHARES);
  const place = o.place ?? pickPlace(world, pickCounty(world, rand), rand);
  const location = o.location ?? locate(world, place.county, rand);
  const channel = pickWeighted(rand, INCIDENT_CHANNELS[category]);
  const severity = o.severity ?? pickWeighted(rand, INCIDENT_SEVERITIES);
  const riskMarkers = o.riskMarkers ?? incidentMarkers(rand, category);
  let parties = o.parties;
  if (category === 'petition' && !parties) {
    parties = chance(rand, CHRONIC_PETITIONERS.share)
      ? [chronicPetitioner(place.county, intBetween(rand, 0, CHRONIC_PETITIONERS.perCounty - 1))]
      : [`p_${hex(rand, 12)}`];
  }
  const steps = planIncident(rand, category, t0);
  return {
    attrs: {
      kind: 'incident',
      category,
      channel,
      severity,
      place,
      location,
      ...(parties ? { parties } : {}),
      ...(riskMarkers.length ? { riskMarkers } : {}),
      issue: pickIssue(rand, 'incident', category, o.spike),
      dispatchTo: '',
    },
    steps,
    sendAt: reportedLate(
      rand,
      'incident',
      t0,
      deliveryTimes(
        rand,
        steps.map((s) => s.at),
      ),
    ),
    ...(o.spike ? { tags: { spike: true } } : {}),
  };
}

/** A homicide: rare, always 110, severity 3 (重大) or 4 (特别重大). */
export function newHomicide(world: World, rand: Rand, t0: number): CasePlan {
  const plan = newIncident(world, rand, t0, {
    category: 'homicide',
    severity: chance(rand, 0.75) ? 3 : 4,
    riskMarkers: [],
  });
  return { ...plan, tags: { homicide: true } };
}
