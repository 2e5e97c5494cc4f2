// A Prometheus histogram scraped from a server's /metrics, and the difference of two scrapes: what
// happened between them (the load), not since the server started.

export interface Scraped {
  /** Upper bounds (seconds) and cumulative counts, in order; the last bound is +Inf. */
  buckets: [number, number][];
  sum: number;
  count: number;
}

/** The histogram `name` with label `for="<which>"` from the exposition text. */
export function scrapeHistogram(text: string, name: string, which: string): Scraped {
  const buckets: [number, number][] = [];
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(`for="${which}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_bucket`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1] ?? '+Inf';
      buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
    } else if (line.startsWith(`${name}_sum`)) sum = value;
    else if (line.startsWith(`${name}_count`)) count = value;
  }
  return { buckets, sum, count };
}

export function minus(after: Scraped, before: Scraped): Scraped {
  return {
    buckets: after.buckets.map(([le, n], i) => [le, n - (before.buckets[i]?.[1] ?? 0)]),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** "count; mean ms; p50 ≤ x ms; p99 ≤ y ms" (a percentile as its bucket's upper bound). */
export function describe(h: Scraped): string {
  if (!h.count) return 'none';
  const within = (q: number) => {
    const bound = h.buckets.find(([, n]) => n >= q * h.count)?.[0] ?? Infinity;
    return bound === Infinity ? '> last bucket' : `≤ ${Math.round(bound * 1000)}`;
  };
  return `${h.count}; mean ${Math.round((h.sum / h.count) * 1000)} ms; p50 ${within(0.5)}; p99 ${within(0.99)} ms`;
}
