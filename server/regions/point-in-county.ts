/**
 * Random incident locations for the event simulator: a point inside the county's boundary, so
 * points drawn on the county map land where the event says they are.
 */
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { parentOf } from '../../shared/regions.ts';
import type { CountyGeometry, LngLat } from './tree.ts';

/** Enough for any sane county: the worst Gansu county fills well over 10% of its bbox. */
const MAX_TRIES = 10_000;
/** Half-width of the box around a fallback anchor, in degrees (about ±2 km). */
const FALLBACK_JITTER = 0.02;

type BBox = [number, number, number, number];

/** Bboxes per geometry object; weak so dropping the polygon map frees them too. */
const bboxes = new WeakMap<CountyGeometry, BBox>();

export interface PointLngLat {
  lng: number;
  lat: number;
}

/**
 * A uniformly distributed point inside the county, by rejection sampling in its bbox.
 *
 * Counties without a polygon — in Gansu only 兰州新区 (620171), a statistical "new area" code
 * that the boundary sources don't know — get a point jittered by up to ±FALLBACK_JITTER
 * around an anchor: `centerOf(county)`, else `centerOf(city)`, else the middle of the bbox of
 * the city's other counties. Such points are only near the right place: 兰州新区 really lies
 * ~50 km north of 兰州's label point, on land the polygons assign to 永登县/皋兰县.
 *
 * Throws for a code with neither polygon nor anchor, or when `rand` never hits the polygon
 * (a broken generator, e.g. a constant one).
 */
export function randomPointInCounty(
  polygons: ReadonlyMap<string, CountyGeometry>,
  countyCode: string,
  rand: () => number,
  centerOf?: (code: string) => LngLat | undefined,
): PointLngLat {
  const geometry = polygons.get(countyCode);
  if (!geometry) return jitter(fallbackAnchor(polygons, countyCode, centerOf), rand);

  const [x0, y0, x1, y1] = bboxOf(geometry);
  for (let i = 0; i < MAX_TRIES; i++) {
    const lng = x0 + rand() * (x1 - x0);
    const lat = y0 + rand() * (y1 - y0);
    if (booleanPointInPolygon([lng, lat], geometry)) return { lng, lat };
  }
  throw new Error(`no point inside county ${countyCode} after ${MAX_TRIES} tries`);
}

function fallbackAnchor(
  polygons: ReadonlyMap<string, CountyGeometry>,
  countyCode: string,
  centerOf: ((code: string) => LngLat | undefined) | undefined,
): LngLat {
  const city = parentOf(countyCode);
  const anchor = centerOf?.(countyCode) ?? (city ? centerOf?.(city) : undefined);
  if (anchor) return anchor;
  if (city) {
    const siblings = [...polygons].filter(([code]) => parentOf(code) === city).map(([, g]) => bboxOf(g));
    if (siblings.length > 0) {
      const x0 = Math.min(...siblings.map((b) => b[0]));
      const y0 = Math.min(...siblings.map((b) => b[1]));
      const x1 = Math.max(...siblings.map((b) => b[2]));
      const y1 = Math.max(...siblings.map((b) => b[3]));
      return [(x0 + x1) / 2, (y0 + y1) / 2];
    }
  }
  throw new Error(`county ${countyCode} has no polygon and no anchor to place points around`);
}

function jitter([lng, lat]: LngLat, rand: () => number): PointLngLat {
  return { lng: lng + (rand() * 2 - 1) * FALLBACK_JITTER, lat: lat + (rand() * 2 - 1) * FALLBACK_JITTER };
}

function bboxOf(geometry: CountyGeometry): BBox {
  let box = bboxes.get(geometry);
  if (box) return box;
  box = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  // Outer rings bound the holes, so they alone give the bbox.
  for (const [outer] of polygons) {
    for (const [x, y] of outer ?? []) {
      box[0] = Math.min(box[0], x!);
      box[1] = Math.min(box[1], y!);
      box[2] = Math.max(box[2], x!);
      box[3] = Math.max(box[3], y!);
    }
  }
  bboxes.set(geometry, box);
  return box;
}
