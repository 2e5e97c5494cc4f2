/**
 * Shrinks decoded boundaries to what a 1920px wall needs, and checks the result is still valid
 * GeoJSON: rings closed, at least 4 positions, non-zero area, RFC 7946 winding.
 */
import { simplify } from '@turf/simplify';
import type { MultiPolygon, Polygon, Position } from 'geojson';

export type Area = Polygon | MultiPolygon;
export type BBox = [minX: number, minY: number, maxX: number, maxY: number];

/**
 * Simplifies (Douglas–Peucker via @turf/simplify, `tolerance` in degrees), rounds to `digits`
 * decimals, and drops rings that collapse. Returns undefined when nothing is left.
 */
export function shrink(geometry: Area, tolerance: number, digits: number): Area | undefined {
  // turf throws on rings shorter than 4 positions; the sources have a few slivers like that.
  const polygons = polygonsOf(geometry)
    .map((rings) => rings.map(tidyRing).filter(isRing))
    .filter((rings) => rings.length > 0 && isRing(rings[0]));
  if (polygons.length === 0) return undefined;

  const simplified = simplify<MultiPolygon>(
    { type: 'MultiPolygon', coordinates: polygons },
    { tolerance, highQuality: true, mutate: true },
  );

  const factor = 10 ** digits;
  const round = (p: Position): Position => [Math.round(p[0]! * factor) / factor, Math.round(p[1]! * factor) / factor];
  const kept: Position[][][] = [];
  for (const rings of simplified.coordinates) {
    // Rounding can merge neighbouring vertices, so tidy again and re-check what survives.
    const cleaned = rings.map((ring) => tidyRing(ring.map(round)));
    const outer = cleaned[0];
    if (!outer || !isRing(outer)) continue;
    const holes = cleaned.slice(1).filter(isRing);
    kept.push([orient(outer, true), ...holes.map((h) => orient(h, false))]);
  }
  if (kept.length === 0) return undefined;
  return kept.length === 1 ? { type: 'Polygon', coordinates: kept[0]! } : { type: 'MultiPolygon', coordinates: kept };
}

export function polygonsOf(geometry: Area): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
}

/** Removes repeated consecutive positions and closes the ring. */
function tidyRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push(first);
  return out;
}

function isRing(ring: Position[] | undefined): ring is Position[] {
  return ring !== undefined && ring.length >= 4 && signedArea(ring) !== 0;
}

/** Shoelace formula; positive for counter-clockwise rings. */
export function signedArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  }
  return sum / 2;
}

/** RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise (d3-geo relies on it). */
function orient(ring: Position[], counterClockwise: boolean): Position[] {
  return signedArea(ring) > 0 === counterClockwise ? ring : [...ring].reverse();
}

/** Problems with a geometry, empty when it is valid enough to draw and to test points against. */
export function validate(geometry: Area): string[] {
  const problems: string[] = [];
  polygonsOf(geometry).forEach((rings, p) => {
    if (rings.length === 0) problems.push(`polygon ${p} has no rings`);
    rings.forEach((ring, r) => {
      const where = `polygon ${p} ring ${r}`;
      if (ring.length < 4) problems.push(`${where} has ${ring.length} positions`);
      const first = ring[0];
      const last = ring[ring.length - 1];
      if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) problems.push(`${where} is not closed`);
      if (ring.some((q) => q.length !== 2 || !Number.isFinite(q[0]) || !Number.isFinite(q[1]))) {
        problems.push(`${where} has a bad position`);
      }
      if (signedArea(ring) === 0) problems.push(`${where} has zero area`);
    });
  });
  return problems;
}

export function bboxOf(geometries: Iterable<Area>): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const g of geometries) {
    for (const rings of polygonsOf(g)) {
      for (const [x, y] of rings[0] ?? []) {
        box[0] = Math.min(box[0], x!);
        box[1] = Math.min(box[1], y!);
        box[2] = Math.max(box[2], x!);
        box[3] = Math.max(box[3], y!);
      }
    }
  }
  return box;
}

export function countPositions(geometry: Area): number {
  return polygonsOf(geometry).reduce((n, rings) => n + rings.reduce((m, r) => m + r.length, 0), 0);
}
