/**
 * Region codes: GB/T 2260 for province (2 digits), city (4) and county (6), the statistics
 * bureau's codes for township (9) and village (12). The level is the code's length, with one
 * exception: `00` is the nation, the parent of every province and so the ancestor of every code
 * (DESIGN.md "The whole country"). No province has code 00, so the two never meet.
 */

export const LEVELS = ['nation', 'province', 'city', 'county', 'township', 'village'] as const;
export type Level = (typeof LEVELS)[number];

/** The whole country's code: the root of a national deployment (`REGION_ROOT=00`). */
export const NATION = '00';

const LENGTHS: Record<Exclude<Level, 'nation'>, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };
const LEVEL_BY_LENGTH = new Map<number, Level>(
  Object.entries(LENGTHS).map(([l, n]) => [n, l as Exclude<Level, 'nation'>]),
);

export const LEVEL_LABELS: Record<Level, string> = {
  nation: '全国',
  province: '省',
  city: '市',
  county: '县区',
  township: '乡镇街道',
  village: '村社区',
};

/** A level's child desks named as a group, for tables of them (各省（区、市）…); villages have none. */
export const CHILDREN_LABELS: Partial<Record<Level, string>> = {
  nation: '各省（区、市）',
  province: '各市（州）',
  city: '各县（市、区）',
  county: '各乡镇（街道）',
};

const CODE_RE = /^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$/;

/** True for a syntactically valid region code of any level, `00` included (does not check it exists). */
export function isRegionCode(code: string): boolean {
  return CODE_RE.test(code);
}

/** Level of a code, or undefined when the code is not a region code. */
export function levelOf(code: string): Level | undefined {
  if (code === NATION) return 'nation';
  return isRegionCode(code) ? LEVEL_BY_LENGTH.get(code.length) : undefined;
}

/** How many digits a level's codes have (the nation's `00` has two, like a province's). */
export function levelLength(level: Level): number {
  return level === 'nation' ? NATION.length : LENGTHS[level];
}

/** Parent code: the nation for a province, undefined for the nation itself. */
export function parentOf(code: string): string | undefined {
  switch (code.length) {
    case 2:
      return code === NATION ? undefined : NATION;
    case 4:
      return code.slice(0, 2);
    case 6:
      return code.slice(0, 4);
    case 9:
      return code.slice(0, 6);
    case 12:
      return code.slice(0, 9);
    default:
      return undefined;
  }
}

/** The code and its ancestors, root first: `ancestry('620702001')` is `['00','62','6207','620702','620702001']`. */
export function ancestry(code: string): string[] {
  const out: string[] = [];
  for (let c: string | undefined = code; c; c = parentOf(c)) out.unshift(c);
  return out;
}

/**
 * The code and its ancestors from its province down: the regions a per-event write touches (a
 * province's data never reaches the nation's keys; national figures are summed when read).
 */
export function provinceAncestry(code: string): string[] {
  return ancestry(code).filter((c) => c !== NATION);
}

/**
 * The province a code belongs to (itself for a province), undefined for the nation: per-event
 * data lives with its province (one hash tag per province), never with the nation.
 */
export function provinceOf(code: string): string | undefined {
  return code === NATION || !isRegionCode(code) ? undefined : code.slice(0, 2);
}

/** True when `code` is `root` or lies below it; everything lies below the nation. */
export function isWithin(code: string, root: string): boolean {
  if (!isRegionCode(code) || !isRegionCode(root)) return false;
  return root === NATION || code.startsWith(root);
}

/** Regions as served by the API: their schemas live in shared/schemas/region.ts. */
export type { RegionRef, RegionInfo } from './schemas/region.ts';
