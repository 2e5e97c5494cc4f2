import type { MapFeature } from './map.ts';

/** One region name on the map's label layer. */
export interface MapLabel {
  name: string;
  value: [number, number];
  /**
   * Size of the (invisible) point the name hangs on. ECharts' `hideOverlap` keeps the label whose
   * point is larger, so this is the region's rank by area: where two names still collide, the
   * smaller region's name gives way (its tooltip still names it). Names placed by hand rank first.
   */
  symbolSize: number;
  /**
   * How far (px) the name is moved off its point, applied by the series' labelLayout: ECharts
   * judges overlaps after a layout's move but before a label's own `offset`, so an offset name
   * would be hidden for colliding where it no longer is.
   */
  shift?: [number, number];
  label?: { color?: string };
}

/** How close two label points may be, as a share of the map's extent, before they clash. */
const CLASH_SHARE = 0.06;
/**
 * Two names side by side clash when their points are closer than about a name's width across
 * and its height up or down (shares of the label points' extent: a three-character name at 16 px spans ~1.3°
 * of Gansu at 1920×1080). 平凉市 and 庆阳市, 1° apart on one parallel, ran into each other.
 */
const SIDE_BY_SIDE = { across: 0.14, up: 0.04 };

/**
 * Where each region's name goes. A boundary file's label point is the region's seat, and a big
 * region's seat can sit right beside a neighbour's: a small one's (酒泉市's seat is 20 km from
 * 嘉峪关市) or a smaller one's on the same parallel (平凉市 and 庆阳市). The big region's name then
 * moves to the middle of its area when that is farther from every other name than its seat is
 * from them (河北's middle is 北京: it stays at 石家庄), and a small region's name is lifted off its point. `placed` names the points of
 * regions whose names go somewhere chosen by hand, clear of every seat; they move no other name.
 */
export function mapLabels(
  features: readonly MapFeature[],
  placed: Readonly<Record<string, [number, number]>> = {},
): MapLabel[] {
  const points = features.filter((f) => f.cp);
  const xs = points.map((f) => f.cp![0]);
  const ys = points.map((f) => f.cp![1]);
  const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.1);
  const near = extent * CLASH_SHARE;
  const loose = points.filter((f) => !placed[f.code]);
  const byArea = [...points].sort((a, b) => (a.area ?? 0) - (b.area ?? 0));
  const distance = (a: readonly [number, number], b: readonly [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const sideBySide = (a: readonly [number, number], b: readonly [number, number]) =>
    Math.abs(a[0] - b[0]) < extent * SIDE_BY_SIDE.across && Math.abs(a[1] - b[1]) < extent * SIDE_BY_SIDE.up;

  return points.map((f) => {
    const own = placed[f.code];
    // The names that would run into this one at its seat.
    const clashing = own
      ? []
      : loose.filter(
          (o) =>
            o !== f &&
            ((o.small && distance(o.cp!, f.cp!) < near) || ((o.area ?? 0) < (f.area ?? 0) && sideBySide(o.cp!, f.cp!))),
        );
    const nearest = (p: readonly [number, number], among: readonly MapFeature[]) =>
      Math.min(...among.map((o) => distance(placed[o.code] ?? o.cp!, p)));
    // Its middle must have more room than its seat, every other name counted (河北's middle is 北京's).
    const crowded =
      !f.small &&
      f.centre &&
      clashing.length > 0 &&
      nearest(
        f.centre,
        points.filter((o) => o !== f),
      ) > nearest(f.cp!, clashing);
    return {
      name: f.name,
      value: own ? [...own] : crowded ? [...f.centre!] : [...f.cp!],
      // A name placed by hand is clear of every seat by design: it wins any collision that remains
      // (北京 was hidden under the national map's hideOverlap in about one run in seven).
      symbolSize: own ? 1 + points.length : 1 + byArea.indexOf(f),
      ...(f.small && !own ? { shift: [0, -18] as [number, number] } : {}),
    };
  });
}

/**
 * The national map's names placed by hand, as ECharts' own china fix does (textCoord.js): its
 * municipalities and 香港, 澳门 are too small and too close for any rule. 北京 keeps its seat;
 * 天津 and 上海 go out to sea east of theirs, 澳门 and 香港 south of the Pearl River estuary, apart,
 * each clear of 广东's name at 广州.
 */
export const NATION_LABEL_PLACES: Readonly<Record<string, [number, number]>> = {
  '11': [116.41, 39.9],
  '12': [118.8, 38.8],
  '31': [123.3, 31.0],
  '81': [116.2, 22.0],
  '82': [113.5, 21.45],
};
