import type { Figure } from '../../../shared/schemas/assessment.ts';

/** The last `n` Beijing months up to the one of `today` (`YYYY-MM-DD`), newest first, as `YYYY-MM`. */
export function recentMonths(today: string, n = 12): string[] {
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (--m === 0) {
      m = 12;
      y--;
    }
  }
  return out;
}

/** A figure's cell as the table shows it: the rate with its counts and rank, or only counts when too few to rank. */
export function figureText(f: Figure | null, min: number): { main: string; sub: string } {
  if (!f) return { main: '—', sub: '' };
  if (f.den === 0) return { main: '无', sub: '' };
  const counts = `${f.num}/${f.den}`;
  if (f.den < min) return { main: counts, sub: '样本少' };
  return { main: `${(f.rate! * 100).toFixed(1)}%`, sub: `${counts}${f.rank ? ` · 第${f.rank}` : ''}` };
}
