/** Natural log of n! by summation: exact enough and cheap for the counts a window holds. */
function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * P(X ≥ k) for X ~ Poisson(λ), summed upward from k in log space so tiny tails (1e-12) keep their
 * precision instead of vanishing in 1 − CDF.
 */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let logTerm = k * Math.log(lambda) - lambda - logFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 10_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (i > lambda && term < sum * 1e-12) break;
    logTerm += Math.log(lambda) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

/** Mean of the samples without the largest when there are enough: one past spike must not lift the baseline. */
export function trimmedMean(samples: readonly number[]): number {
  if (!samples.length) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const kept = sorted.length >= 4 ? sorted.slice(0, -1) : sorted;
  return kept.reduce((s, x) => s + x, 0) / kept.length;
}
