import { MAX_STARS } from '../../../shared/schemas/problem.ts';

/** `★★★☆☆`: a problem's stars out of five, as the wall and the console show them. */
export function starText(stars: number): string {
  const n = Math.max(0, Math.min(MAX_STARS, Math.round(stars)));
  return '★'.repeat(n) + '☆'.repeat(MAX_STARS - n);
}
