/**
 * Calendar months in Beijing time as the index needs them: `YYYYMM` inside (the month hashes'
 * suffix), `YYYY-MM` on the wire.
 */
import { RETENTION } from '../counters/retention.ts';
import { buckets, dayNumber, OFFSET_MS, shiftMonth } from '../time/beijing.ts';

export const DAY_MS = 86_400_000;

/** `2026-11` → `202611` */
export function fromWire(month: string): string {
  return month.replace('-', '');
}

/** `202611` → `2026-11` */
export function toWire(month: string): string {
  return `${month.slice(0, 4)}-${month.slice(4)}`;
}

/** Epoch ms of 00:00 Beijing time on the 1st of a `YYYYMM` month. */
export function monthStart(month: string): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)) - 1, 1) - OFFSET_MS;
}

export function monthEnd(month: string): number {
  return monthStart(shiftMonth(month, 1));
}

/** Day numbers (Beijing, see time/beijing.ts) of every day of a month. */
export function monthDays(month: string): number[] {
  const first = dayNumber(monthStart(month));
  const last = dayNumber(monthEnd(month)) - 1;
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

export function currentMonth(now: number): string {
  return buckets(now).month;
}

/** The oldest month whose counters are still kept (the aggregator stops updating older ones). */
export function oldestKept(now: number): string {
  return shiftMonth(currentMonth(now), -RETENTION.monthBucketsKept);
}

/** `from`…`to` inclusive, oldest first. */
export function monthRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = shiftMonth(m, 1)) out.push(m);
  return out;
}

/** The baseline months of `month`: the `n` before it, without those whose counters are gone. */
export function baselineMonths(month: string, n: number, now: number): string[] {
  const floor = oldestKept(now);
  return monthRange(shiftMonth(month, -n), shiftMonth(month, -1)).filter((m) => m >= floor);
}
