/**
 * What the generators need to know about the province (or provinces), computed once: the region tree, county
 * polygons, and the weighted county picker. Also where exactly a case happens.
 */
import type { PointLngLat } from '../regions/point-in-county.ts';
import { randomPointInCounty } from '../regions/point-in-county.ts';
import type { CountyGeometry, RegionTree } from '../regions/tree.ts';
import { populationOf } from '../regions/population.ts';
import { pickWeighted, type Rand } from './prng.ts';
import { PLACE_LEVEL_SHARES } from './rates.ts';
import { countyWeights, placeIn, WeightedPicker, type CountyWeight, type Place } from './weights.ts';

export interface World {
  tree: RegionTree;
  polygons: ReadonlyMap<string, CountyGeometry>;
  counties: WeightedPicker<CountyWeight>;
}

/**
 * `population`: province → people, by which several provinces share the volume (default: the
 * 2020 census table when the tree serves more than one province; one province needs none).
 */
export function createWorld(
  tree: RegionTree,
  polygons: ReadonlyMap<string, CountyGeometry>,
  population: ReadonlyMap<string, number> | undefined = tree.provinces.length > 1
    ? populationOf(tree.provinces)
    : undefined,
): World {
  const weights = countyWeights(tree, population);
  if (weights.length === 0) throw new Error(`region tree ${tree.root} has no counties to simulate`);
  return { tree, polygons, counties: new WeightedPicker(weights, (w) => w.weight) };
}

export function pickCounty(world: World, rand: Rand): string {
  return world.counties.pick(rand).code;
}

/** A village most of the time; sometimes the sender only knows the township or county. */
export function pickPlace(world: World, county: string, rand: Rand): Place {
  return placeIn(world.tree, county, pickWeighted(rand, PLACE_LEVEL_SHARES), rand);
}

/** A point inside the county's polygon (near the city centre for counties without one). */
export function locate(world: World, county: string, rand: Rand): PointLngLat {
  return randomPointInCounty(world.polygons, county, rand, (c) => world.tree.center(c));
}
