import type { TickerItem } from '../../../../shared/events.ts';
import { isWithin } from '../../../../shared/regions.ts';

/** One located event drawn on the map: a ripple while fresh, then a fading dot until it expires. */
export interface RipplePoint {
  id: string;
  lng: number;
  lat: number;
  /** Epoch ms when it arrived on this screen. */
  at: number;
  severity: number;
  regionName: string;
  summary: string;
}

/**
 * Located events for the map, newest last, kept for `ttlMs` and capped so a burst can never grow
 * the map's series without bound.
 */
export class RippleState {
  points = $state.raw<RipplePoint[]>([]);
  #scope: string | null = null;
  readonly #ttlMs: number;
  readonly #cap: number;

  constructor(ttlMs = 5 * 60_000, cap = 3000) {
    this.#ttlMs = ttlMs;
    this.#cap = cap;
  }

  reset(scope: string | null): void {
    this.#scope = scope;
    this.points = [];
  }

  push(batch: readonly TickerItem[], now: number): void {
    const scope = this.#scope;
    if (!scope) return;
    const fresh: RipplePoint[] = [];
    for (const i of batch) {
      const loc = i.location;
      if (!loc || !Number.isFinite(loc.lng) || !Number.isFinite(loc.lat) || !isWithin(i.region, scope)) continue;
      fresh.push({
        id: i.id,
        lng: loc.lng,
        lat: loc.lat,
        at: now,
        severity: i.severity,
        regionName: i.regionName,
        summary: i.summary,
      });
    }
    if (fresh.length) this.points = [...this.points, ...fresh].slice(-this.#cap);
  }

  /** Drops expired points; replaces the array only when something expired. */
  prune(now: number): void {
    if (this.points.length === 0) return;
    const cutoff = now - this.#ttlMs;
    const first = this.points.findIndex((p) => p.at >= cutoff);
    if (first === 0) return;
    this.points = first === -1 ? [] : this.points.slice(first);
  }
}
