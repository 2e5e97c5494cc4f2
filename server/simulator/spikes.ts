/**
 * Spikes: a burst of public-order or criminal incidents in one township of one county for 15–30
 * minutes (a brawl, a crowd, a run of break-ins), far above the county's baseline of well under
 * one incident per quarter hour — what the 突增 and 聚集 rules exist for.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { IncidentCategory } from '../../shared/vocab.ts';
import type { PointLngLat } from '../regions/point-in-county.ts';
import { newIncident } from './incidents.ts';
import type { CasePlan } from './plan.ts';
import { chance, intBetween, pickWeighted, uniform, type Rand } from './prng.ts';
import { SPIKES } from './rates.ts';
import { placeIn, villageIn } from './weights.ts';
import { locate, pickCounty, type World } from './world.ts';

const MIN = 60_000;

/** A point within the spike's radius that is still inside the county (else the centre itself). */
function near(world: World, county: string, centre: PointLngLat, rand: Rand): PointLngLat {
  const geometry = world.polygons.get(county);
  for (let i = 0; i < 8; i++) {
    const p = {
      lng: centre.lng + uniform(rand, -SPIKES.radiusDeg, SPIKES.radiusDeg),
      lat: centre.lat + uniform(rand, -SPIKES.radiusDeg, SPIKES.radiusDeg),
    };
    if (!geometry || booleanPointInPolygon([p.lng, p.lat], geometry)) return p;
  }
  return centre;
}

export function newSpike(world: World, rand: Rand, t0: number): CasePlan[] {
  const county = pickCounty(world, rand);
  // One township, so the burst is also a geographic cluster.
  const town = placeIn(world.tree, county, 'township', rand);
  const centre = locate(world, county, rand);
  const minutes = uniform(rand, SPIKES.minutes[0], SPIKES.minutes[1]);
  const n = intBetween(rand, SPIKES.incidents[0], SPIKES.incidents[1]);
  const category: IncidentCategory = pickWeighted(rand, SPIKES.categories);
  const out: CasePlan[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + rand() * minutes * MIN;
    out.push(
      newIncident(world, rand, t, {
        category,
        place: chance(rand, 0.7) ? villageIn(world.tree, town, rand) : town,
        location: near(world, county, centre, rand),
        severity: chance(rand, 0.8) ? 1 : 2,
        riskMarkers: category === 'public_order' && chance(rand, SPIKES.massGatheringShare) ? ['mass_gathering'] : [],
        spike: true,
      }),
    );
  }
  return out.sort((a, b) => a.steps[0]!.at - b.steps[0]!.at);
}
