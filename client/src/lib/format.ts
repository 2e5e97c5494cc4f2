/**
 * Number formatting for the wall: plain digits up to 9999, then 万 (and 亿) with three
 * significant digits, so any count up to eight digits takes at most four digits beside its unit
 * and fits its tile at the size it is read from five metres. The exact count stays reachable: a
 * figure's `title` (exactCount) and its data-value attribute.
 */

const grouped = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** Counts from here on are written in 万: 10,289 is 1.03万. */
export const WAN_FROM = 10_000;

/** A scale counts are written in: its divisor and the unit drawn after the figure. */
export interface CountScale {
  divisor: number;
  unit: '' | '万' | '亿';
}

const UNITS: CountScale = { divisor: 1, unit: '' };
const WAN: CountScale = { divisor: 10_000, unit: '万' };
const YI: CountScale = { divisor: 100_000_000, unit: '亿' };

/** The scale a count is written in. */
export function countScale(n: number): CountScale {
  const a = Math.abs(n);
  // Rounding 9,999.5万 to three digits gives 1.00亿: decide on the rounded figure.
  if (a >= 99_995_000) return YI;
  if (a >= WAN_FROM) return WAN;
  return UNITS;
}

/**
 * `n` written in `scale`: whole and grouped below 万; in 万 or 亿 with three significant digits
 * (1.03, 10.3, 103; 10, not 10.0), whole from a thousand on (1,029万 is written 1029万: four digits, no comma).
 * A figure that rolls from one value to another is written in the scale of where it is going.
 */
export function formatIn(scale: CountScale, n: number): string {
  // No separator below 万 (9999, as Chinese counts are written): the figure keeps to four glyphs.
  if (scale.divisor === 1) return String(Math.round(n));
  const v = n / scale.divisor;
  // Trailing zeros say nothing: 10万, 1.5万, 1亿.
  return Math.abs(v) >= 999.5
    ? String(Math.round(v))
    : v.toPrecision(3).replace(/\.(\d*?)0+$/, (_, kept: string) => (kept ? `.${kept}` : ''));
}

/** A count with its unit split off so the unit can be drawn small: 10289 → {value:'1.03', unit:'万'}. */
export function splitCount(n: number | null | undefined): { value: string; unit: string } {
  if (n === null || n === undefined || !Number.isFinite(n)) return { value: '—', unit: '' };
  const scale = countScale(n);
  return { value: formatIn(scale, n), unit: scale.unit };
}

/** A count as one string: '9999', '1.03万', '1235万'. */
export function formatCount(n: number | null | undefined): string {
  const { value, unit } = splitCount(n);
  return value + unit;
}

/** The exact count, grouped, for a title or a tooltip beside its short form: '10,289'. */
export function exactCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : grouped.format(n);
}

/** 0.8123 → '81.2'; null (no cases yet) → '—'. */
export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '—' : oneDecimal.format(rate * 100);
}
