const EXACT_UP_TO = 256;
/** ln n! summed once for small n, where Stirling's series is least accurate. */
const SMALL_LOG_FACTORIALS = (() => {
  const t = new Float64Array(EXACT_UP_TO);
  for (let i = 2; i < EXACT_UP_TO; i++) t[i] = t[i - 1]! + Math.log(i);
  return t;
})();

/**
 * Natural log of n!, in constant time: a province's window can hold tens of thousands of
 * incidents, and summing that many logs per check was the rules' largest cost. Beyond the table,
 * Stirling's series to 1/n⁵ (error below 1/(1680·n⁷), far under double precision here).
 */
export function logFactorial(n: number): number {
  if (n < EXACT_UP_TO) return SMALL_LOG_FACTORIALS[n]!;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 / 1260));
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
    // Past the mode the terms only shrink: stop once they no longer matter, or have underflowed
    // (a burst far beyond its baseline: the tail is below 1e-300, and summing on cost 10,000 steps).
    if (i > lambda && (term < sum * 1e-12 || term === 0)) break;
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
