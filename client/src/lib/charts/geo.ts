import type { Api, RegionFeatureCollection } from '../api.ts';
import type { MapFeature } from './options/map.ts';
import { NATION } from '../../../../shared/regions.ts';

/**
 * Boundaries of a region's children, fetched once per region and registered with ECharts under
 * the region's code. Only provinces and cities have them (no polygons below the county).
 */
/**
 * The name a region's map is registered under in ECharts: its code, except the nation's, which is
 * `china` — the name ECharts gives its standard fixes (the 南海诸岛 inset with the nine-dash line,
 * 钓鱼岛, label offsets for 香港 and 澳门).
 */
export function mapNameOf(code: string): string {
  return code === NATION ? 'china' : code;
}

export class GeoStore {
  readonly #cache = new Map<string, Promise<MapFeature[]>>();
  readonly #api: Pick<Api, 'geo'>;
  readonly #register: (name: string, geo: RegionFeatureCollection) => void;

  constructor(api: Pick<Api, 'geo'>, register: (name: string, geo: RegionFeatureCollection) => void) {
    this.#api = api;
    this.#register = register;
  }

  load(code: string): Promise<MapFeature[]> {
    let p = this.#cache.get(code);
    if (!p) {
      p = this.#api.geo(code).then((geo) => {
        this.#register(mapNameOf(code), geo);
        return featuresOf(geo);
      });
      p.catch(() => this.#cache.delete(code));
      this.#cache.set(code, p);
    }
    return p;
  }
}

export function featuresOf(geo: RegionFeatureCollection): MapFeature[] {
  const valid = (geo.features ?? []).filter(
    (f) => typeof f?.properties?.code === 'string' && typeof f.properties.name === 'string',
  );
  const areas = valid.map((f) => bboxArea(f.geometry));
  const largest = Math.max(0, ...areas);
  return valid.map((f, i) => {
    const box = bbox(f.geometry);
    return {
      code: f.properties.code,
      name: f.properties.name,
      ...(Array.isArray(f.properties.cp) && f.properties.cp.length === 2 ? { cp: f.properties.cp } : {}),
      // A region far smaller than its neighbours (嘉峪关 beside 酒泉) gets its label moved clear.
      ...(largest > 0 && areas[i]! < largest * SMALL_SHARE ? { small: true } : {}),
      ...(box
        ? { area: areas[i]!, centre: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2] as [number, number], box }
        : {}),
    };
  });
}

const SMALL_SHARE = 0.02;

/** Area of the bounding box of a GeoJSON geometry, in square degrees (enough to compare sizes). */
export function bboxArea(geometry: unknown): number {
  const b = bbox(geometry);
  return b ? (b[2] - b[0]) * (b[3] - b[1]) : 0;
}

/** `[minLng, minLat, maxLng, maxLat]` of a GeoJSON geometry, or null when it has no points. */
export function bbox(geometry: unknown): [number, number, number, number] | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const walk = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      minX = Math.min(minX, c[0]);
      maxX = Math.max(maxX, c[0]);
      minY = Math.min(minY, c[1]);
      maxY = Math.max(maxY, c[1]);
      return;
    }
    for (const x of c) walk(x);
  };
  walk((geometry as { coordinates?: unknown } | null)?.coordinates);
  return maxX >= minX ? [minX, minY, maxX, maxY] : null;
}
