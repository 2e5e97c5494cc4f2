/**
 * Where things happen: counties weighted by a population proxy, then a township and a village
 * picked uniformly inside the county. There is no population below the province in the region
 * data, so the proxy is the kind of county (urban districts are denser) times its size in
 * townships and villages. Serving several provinces, each province's counties share that
 * province's census population (regions/population.ts), so a province's volume follows its
 * people, not its number of villages (北京 has few villages and 22 million people).
 */
import type { RegionTree } from '../regions/tree.ts';
import { pickOne, type Rand } from './prng.ts';

export type CountyType = 'district' | 'city' | 'county';

export interface CountyWeight {
  code: string;
  type: CountyType;
  weight: number;
}

/**
 * 区 ×3 (city districts: 城关区 has ~1.3 million people, 玛曲县 ~60,000), county-level cities
 * (市: 敦煌市, 临夏市 …) ×2, 县 and 自治县 ×1.
 */
export const TYPE_FACTOR: Record<CountyType, number> = { district: 3, city: 2, county: 1 };

export function countyType(name: string): CountyType {
  if (name.endsWith('区')) return 'district';
  if (name.endsWith('市')) return 'city';
  return 'county';
}

/**
 * Size counts townships twice as much as villages/10: village counts track rural headcount but
 * overstate sprawling mountain districts (武都区 has 701), township counts track both.
 */
export function countyWeights(tree: RegionTree, population?: ReadonlyMap<string, number>): CountyWeight[] {
  const proxy = tree.codesAt('county').map((code) => {
    const towns = tree.children(code);
    const villages = towns.reduce((n, t) => n + tree.children(t.code).length, 0);
    const type = countyType(tree.get(code)!.name);
    const size = Math.max(1, 2 * towns.length + villages / 10);
    return { code, type, weight: TYPE_FACTOR[type] * size };
  });
  if (!population) return proxy;
  const perProvince = new Map<string, number>();
  for (const c of proxy) perProvince.set(c.code.slice(0, 2), (perProvince.get(c.code.slice(0, 2)) ?? 0) + c.weight);
  return proxy.map((c) => {
    const p = c.code.slice(0, 2);
    const people = population.get(p);
    if (people === undefined) throw new Error(`no population for province ${p}`);
    return { ...c, weight: (people * c.weight) / perProvince.get(p)! };
  });
}

/** O(log n) weighted picks from a fixed list, by binary search over cumulative weights. */
export class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weightOf: (item: T) => number,
  ) {
    let sum = 0;
    for (const item of items) {
      sum += Math.max(0, weightOf(item));
      this.cumulative.push(sum);
    }
    if (!(sum > 0)) throw new Error('WeightedPicker needs a positive total weight');
    this.total = sum;
  }

  pick(rand: Rand): T {
    const x = rand() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

export interface Place {
  /** The code the event carries: village, township or county. */
  region: string;
  county: string;
  /** 张掖市甘州区 */
  countyLabel: string;
  /** Township and village display names when the place is that precise. */
  township?: string;
  village?: string;
}

export type PlaceLevel = 'village' | 'township' | 'county';

/**
 * 村民委员会 / 村委会 / 居委会 are the statistics bureau's names of the committees; a summary
 * names the place: 畅家巷社区居委会 → 畅家巷社区, 李家沟村委会 → 李家沟村.
 */
export function shortVillageName(name: string): string {
  const m = /^(.*?)(村民委员会|村委会)$/.exec(name);
  if (m) return m[1]!.endsWith('村') ? m[1]! : `${m[1]}村`;
  const r = /^(.*?)(居民委员会|居委会)$/.exec(name);
  // 南关居委会 is the 南关 neighbourhood (社区), not a village called 南关.
  if (r) return /(社区|生活区|小区|村)$/.test(r[1]!) ? r[1]! : `${r[1]}社区`;
  return name.replace(/委员会$/, '');
}

/**
 * The statistics bureau lists 虚拟社区/虚拟生活区 (bookkeeping units of state farms, development
 * zones) and prison enterprises as villages and townships; nobody lives there to have a dispute.
 */
const NOT_A_PLACE = /虚拟|监狱/;

type Ref = ReturnType<RegionTree['children']>[number];
/** Each region's placeable children, listed once per tree: every case picks a place. */
const placeable = new WeakMap<RegionTree, Map<string, Ref[]>>();

function placesUnder(tree: RegionTree, code: string): Ref[] {
  let byCode = placeable.get(tree);
  if (!byCode) placeable.set(tree, (byCode = new Map()));
  let list = byCode.get(code);
  if (!list) byCode.set(code, (list = tree.children(code).filter((r) => !NOT_A_PLACE.test(r.name))));
  return list;
}

/** Picks a township, then a village, uniformly inside the county, down to `level`. */
export function placeIn(tree: RegionTree, county: string, level: PlaceLevel, rand: Rand): Place {
  const c = tree.get(county)!;
  const city = tree.get(county.slice(0, 4));
  // 嘉峪关市 (620201) is its own city; don't say 嘉峪关市嘉峪关市.
  const countyLabel = city && city.name !== c.name ? `${city.name}${c.name}` : c.name;
  const place: Place = { region: county, county, countyLabel };
  const towns = placesUnder(tree, county);
  if (level === 'county' || towns.length === 0) return place;
  const town = pickOne(rand, towns);
  place.region = town.code;
  place.township = town.name;
  const villages = placesUnder(tree, town.code);
  if (level === 'township' || villages.length === 0) return place;
  const village = pickOne(rand, villages);
  place.region = village.code;
  place.village = shortVillageName(village.name);
  return place;
}

/** A village inside an already-chosen township place (spikes stay in one township). */
export function villageIn(tree: RegionTree, township: Place, rand: Rand): Place {
  const villages = placesUnder(tree, township.region);
  if (villages.length === 0 || township.region.length !== 9) return township;
  const village = pickOne(rand, villages);
  return { ...township, region: village.code, village: shortVillageName(village.name) };
}
