/**
 * Decoder for the compressed GeoJSON that ECharts 4 and the maps built for it ship
 * (`"UTF8Encoding": true`). Each ring is a string of character pairs; a pair is one
 * zigzag-encoded delta (x, y) in units of 1/scale degree, offset by 64 so it stays printable.
 * The absolute start of each ring is stored separately in `geometry.encodeOffsets`.
 * Written from the format description in echarts 4's `lib/coord/geo/parseGeoJson.js`.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Default quantisation of the ECharts encoding: 1/1024 degree. */
const DEFAULT_SCALE = 1024;

export type Point2 = [number, number];

/** A feature as found in the ECharts files: a name, maybe an id, maybe a label point. */
export interface SourceFeature {
  id: string | undefined;
  name: string;
  cp: Point2 | undefined;
  geometry: Polygon | MultiPolygon;
}

/** Decodes one ring. `offset` is the ring's start in the same integer units as the deltas. */
export function decodeRing(encoded: string, offset: readonly [number, number], scale = DEFAULT_SCALE): Position[] {
  if (encoded.length % 2 !== 0) throw new Error(`encoded ring has odd length ${encoded.length}`);
  const ring: Position[] = [];
  let x = offset[0];
  let y = offset[1];
  for (let i = 0; i < encoded.length; i += 2) {
    x += unzigzag(encoded.charCodeAt(i) - 64);
    y += unzigzag(encoded.charCodeAt(i + 1) - 64);
    ring.push([x / scale, y / scale]);
  }
  return ring;
}

/** Zigzag maps small signed ints to small unsigned ones (0,-1,1,-2 → 0,1,2,3); this undoes it. */
function unzigzag(n: number): number {
  return (n >> 1) ^ -(n & 1);
}

/**
 * Reads a FeatureCollection in either plain or compressed form and returns its features with
 * plain coordinates. Throws on anything unexpected: silent garbage here would end up as a
 * wrong boundary on the wall.
 */
export function decodeCollection(json: unknown): SourceFeature[] {
  const fc = asRecord(json, 'collection');
  const features = fc.features;
  if (fc.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new Error('not a GeoJSON FeatureCollection');
  }
  const compressed = fc.UTF8Encoding === true;
  const scale = typeof fc.UTF8Scale === 'number' ? fc.UTF8Scale : DEFAULT_SCALE;
  return features.map((f: unknown, i: number) => decodeFeature(f, compressed, scale, i));
}

function decodeFeature(raw: unknown, compressed: boolean, scale: number, index: number): SourceFeature {
  const f = asRecord(raw, `feature ${index}`);
  const props = asRecord(f.properties, `feature ${index} properties`);
  const geom = asRecord(f.geometry, `feature ${index} geometry`);
  if (typeof props.name !== 'string') throw new Error(`feature ${index} has no name`);
  const where = `feature ${index} (${props.name})`;
  const type = geom.type;
  const coordinates = geom.coordinates;
  if (type !== 'Polygon' && type !== 'MultiPolygon') throw new Error(`${where}: unsupported geometry ${String(type)}`);
  if (!Array.isArray(coordinates)) throw new Error(`${where}: no coordinates`);

  const decodePolygon = (rings: unknown, offsets: unknown): Position[][] => {
    if (!Array.isArray(rings)) throw new Error(`${where}: polygon is not an array`);
    return rings.map((ring: unknown, r: number) => {
      if (!compressed) return asPositions(ring, where);
      if (typeof ring !== 'string') throw new Error(`${where}: compressed ring is not a string`);
      const offset = Array.isArray(offsets) ? offsets[r] : undefined;
      return decodeRing(ring, asPoint(offset, `${where} encodeOffsets`), scale);
    });
  };

  const offsets: unknown[] = Array.isArray(geom.encodeOffsets) ? geom.encodeOffsets : [];
  const geometry: Polygon | MultiPolygon =
    type === 'Polygon'
      ? { type, coordinates: decodePolygon(coordinates, offsets) }
      : { type, coordinates: coordinates.map((p: unknown, k: number) => decodePolygon(p, offsets[k])) };

  const id = f.id ?? props.id;
  return {
    id: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    name: props.name,
    cp: props.cp === undefined ? undefined : asPoint(props.cp, `${where} cp`),
    geometry,
  };
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function asPoint(v: unknown, what: string): Point2 {
  if (Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number') return [v[0], v[1]];
  throw new Error(`${what} is not a [x, y] pair`);
}

function asPositions(v: unknown, what: string): Position[] {
  if (!Array.isArray(v)) throw new Error(`${what}: ring is not an array`);
  return v.map((p) => asPoint(p, `${what} position`));
}
