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

  return points.map((f) => {
    const crowded =
      !f.small && f.centre && small.some((s) => Math.hypot(s.cp![0] - f.cp![0], s.cp![1] - f.cp![1]) < near);
    return {
      name: f.name,
      value: crowded ? [...f.centre!] : [...f.cp!],
      symbolSize: 1 + byArea.indexOf(f),
      ...(f.small ? { label: { offset: [0, -18] as [number, number] } } : {}),
    };
  });
}
