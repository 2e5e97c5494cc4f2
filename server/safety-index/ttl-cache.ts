/**
 * A small in-memory cache of promises with a time to live and a size cap. Concurrent callers of a
 * key share one load (ten walls asking at once cost one computation); a failed load is forgotten
 * so the next call retries. Capped because a server runs for weeks.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { until: number; value: Promise<V> }>();

  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  get(key: string, ttlMs: number, load: () => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > t) return hit.value;
    if (hit) this.entries.delete(key);
    const value = load();
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    this.evict(t);
    this.entries.set(key, { until: t + ttlMs, value });
    return value;
  }

  /** Forgets everything (values computed while a month was still filling). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries, then the oldest inserted until there is room for one more. */
  private evict(t: number): void {
    if (this.entries.size < this.max) return;
    for (const [k, e] of this.entries) if (e.until <= t) this.entries.delete(k);
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.max) break;
      this.entries.delete(k);
    }
  }
}
