/** Number formatting for the wall: grouped digits, 万 above a million, one-decimal percentages. */

const grouped = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** A count with its unit split off so the unit can be drawn small: 1234 → {value:'1,234', unit:''}. */
export function splitCount(n: number | null | undefined): { value: string; unit: string } {
  if (n === null || n === undefined || !Number.isFinite(n)) return { value: '—', unit: '' };
  if (Math.abs(n) >= 1_000_000) return { value: oneDecimal.format(n / 10_000), unit: '万' };
  return { value: grouped.format(n), unit: '' };
}

export function formatCount(n: number | null | undefined): string {
  const { value, unit } = splitCount(n);
  return value + unit;
}

/** 0.8123 → '81.2'; null (no cases yet) → '—'. */
export function formatPercent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '—' : oneDecimal.format(rate * 100);
}
