import { formatPercent } from './format.ts';

/** Below this many cases a percentage says more than it knows: 100 % from one dispute. */
export const MIN_RATE_DENOMINATOR = 10;

/**
 * A rate as the wall shows it: a percentage (`81.0`, the % drawn beside it) over enough cases, the
 * counts themselves (`1/1`) over fewer, a dash over none. Every rate on screen goes through here.
 */
export function rateText(num: number, den: number): { text: string; percent: boolean } {
  if (!(den > 0)) return { text: '—', percent: false };
  if (den < MIN_RATE_DENOMINATOR) return { text: `${num}/${den}`, percent: false };
  return { text: formatPercent(num / den), percent: true };
}
