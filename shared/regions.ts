/**
 * Region codes: GB/T 2260 for province (2 digits), city (4) and county (6), the statistics
 * bureau's codes for township (9) and village (12). The level is the code's length.
 */

export const LEVELS = ['province', 'city', 'county', 'township', 'village'] as const;
export type Level = (typeof LEVELS)[number];

const LENGTHS: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };
const LEVEL_BY_LENGTH = new Map<number, Level>(LEVELS.map((l) => [LENGTHS[l], l]));

export const LEVEL_LABELS: Record<Level, string> = {
  province: '省',
  city: '市',
  county: '县区',
  township: '乡镇街道',
  village: '村社区',
};

const CODE_RE = /^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$/;

/** True for a syntactically valid region code of any level (does not check it exists). */
export function isRegionCode(code: string): boolean {
  return CODE_RE.test(code);
}

/** Level of a code, or undefined when the code is not a region code. */
export function levelOf(code: string): Level | undefined {
  return isRegionCode(code) ? LEVEL_BY_LENGTH.get(code.length) : undefined;
}

/** Parent code, or undefined for a province. */
export function parentOf(code: string): string | undefined {
  switch (code.length) {
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

/** The code and its ancestors, root first: `ancestry('620702001')` is `['62','6207','620702','620702001']`. */
export function ancestry(code: string): string[] {
  const out: string[] = [];
  for (let c: string | undefined = code; c; c = parentOf(c)) out.unshift(c);
  return out;
}

/** True when `code` is `root` or lies below it. */
export function isWithin(code: string, root: string): boolean {
  return code.startsWith(root) && isRegionCode(code) && isRegionCode(root);
}

/** Regions as served by the API: their schemas live in shared/schemas/region.ts. */
export type { RegionRef, RegionInfo } from './schemas/region.ts';
