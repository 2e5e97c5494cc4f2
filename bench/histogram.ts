// Latency histograms for the benchmarks: percentiles from hdr-histogram-js, never averages.
import hdr from 'hdr-histogram-js';

export type Histogram = ReturnType<typeof histogram>;

/** Milliseconds from 1 to 60 s, three significant digits. */
export const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: 3 });

/** Records a latency in ms; sub-millisecond ones count as 1 (the histogram's floor). */
export function record(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms)));
}

/** One percentile, or NaN when nothing was recorded (so a comparison with it fails, never passes). */
export const pct = (h: Histogram, p: number): number => (h.totalCount ? h.getValueAtPercentile(p) : NaN);

/** `p50 / p95 / p99` of a histogram, `n/a` when it is empty. */
export const spread = (h: Histogram): string =>
  h.totalCount ? [50, 95, 99].map((p) => h.getValueAtPercentile(p)).join(' / ') : 'n/a';
