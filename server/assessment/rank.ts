import { MIN_RANKED_DENOMINATOR, type Figure } from '../../shared/schemas/assessment.ts';

/**
 * Ranks one figure among sibling rows, best (highest rate) first; equal rates share a rank (1, 1,
 * 3). Like with like: a rate over fewer than MIN_RANKED_DENOMINATOR cases is not ranked (rank
 * null), the table shows its counts instead — 1 of 1 is not better than 95 of 100.
 */
export function rankFigure(figures: readonly (Figure | null)[]): void {
  const ranked = figures.filter(
    (f): f is Figure & { rate: number } => f !== null && f.rate !== null && f.den >= MIN_RANKED_DENOMINATOR,
  );
  for (const f of figures) if (f) f.rank = null;
  const sorted = [...ranked].sort((a, b) => b.rate - a.rate);
  sorted.forEach((f, i) => {
    f.rank = i > 0 && sorted[i - 1]!.rate === f.rate ? sorted[i - 1]!.rank : i + 1;
  });
}

/** A figure from its counts, not yet ranked. */
export function figure(num: number, den: number): Figure {
  return { num, den, rate: den > 0 ? num / den : null, rank: null };
}
