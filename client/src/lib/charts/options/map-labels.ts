import type { MapFeature } from './map.ts';

/** One region name on the map's label layer. */
export interface MapLabel {
  name: string;
  value: [number, number];
  /**
   * Size of the (invisible) point the name hangs on. ECharts' `hideOverlap` keeps the label whose
   * point is larger, so this is the region's rank by area: where two names still collide, the
   * smaller region's name gives way (its tooltip still names it).
   */
  symbolSize: number;
  label?: { offset: [number, number] };
}

/** How close two label points may be, as a share of the map's extent, before they clash. */
const CLASH_SHARE = 0.06;
/**
 * Two names side by side clash when their points are closer than about a name's width across
 * and its height up or down (shares of the label points' extent: a three-character name at 16 px spans ~1.3°
 * of Gansu at 1920×1080). 平凉市 and 庆阳市, 1° apart on one parallel, ran into each other, and
 * ECharts' hideOverlap left both.
 */
const SIDE_BY_SIDE = { across: 0.14, up: 0.04 };

/**
 * Where each region's name goes. A boundary file's label point is the region's seat, and a big
 * city's seat can sit right beside a small neighbour (酒泉市's seat is 20 km from 嘉峪关市): the big
 * region's name then moves to the middle of its area, which has room, and the small one keeps its
 * point, the only place it can go.
 */
export function mapLabels(features: readonly MapFeature[]): MapLabel[] {
  const points = features.filter((f) => f.cp);
  const xs = points.map((f) => f.cp![0]);
  const ys = points.map((f) => f.cp![1]);
  const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.1);
  const near = extent * CLASH_SHARE;
  const small = points.filter((f) => f.small);
  const byArea = [...points].sort((a, b) => (a.area ?? 0) - (b.area ?? 0));

  const sideBySide = (a: MapFeature, b: MapFeature) =>
    Math.abs(a.cp![0] - b.cp![0]) < extent * SIDE_BY_SIDE.across &&
    Math.abs(a.cp![1] - b.cp![1]) < extent * SIDE_BY_SIDE.up;

  return points.map((f) => {
    const crowded =
      !f.small &&
      f.centre &&
      (small.some((s) => Math.hypot(s.cp![0] - f.cp![0], s.cp![1] - f.cp![1]) < near) ||
        // Of two names side by side, the larger region's moves: its middle has room.
        points.some((o) => o !== f && (o.area ?? 0) < (f.area ?? 0) && sideBySide(o, f)));
    return {
      name: f.name,
      value: crowded ? [...f.centre!] : [...f.cp!],
      symbolSize: 1 + byArea.indexOf(f),
      ...(f.small ? { label: { offset: [0, -18] as [number, number] } } : {}),
    };
  });
}
