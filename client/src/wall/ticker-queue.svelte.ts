import type { TickerItem } from '../../../shared/events.ts';
import { isWithin } from '../../../shared/regions.ts';

/**
 * What the ticker strip still has to show, oldest first, for one region. The strip is created
 * before the session has left the old room, so it may be offered the old region's items once more
 * (and the server may push a last batch for the old room): the scope, not the timing, keeps them off.
 */
export class TickerQueue {
  items = $state.raw<TickerItem[]>([]);
  #scope: string;
  readonly #cap: number;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- ids already queued; nothing renders from it
  readonly #seen = new Set<string>();

  constructor(scope: string, cap = 80) {
    this.#scope = scope;
    this.#cap = cap;
  }

  get scope(): string {
    return this.#scope;
  }

  /** Shows another region: whatever was queued for the one before goes at once. */
  rescope(scope: string): void {
    if (scope === this.#scope) return;
    this.#scope = scope;
    this.#seen.clear();
    this.items = [];
  }

  /**
   * Queues the items not seen before that lie within the scope. Returns true when the queue
   * overflowed and was cut to its newest (only when frames are not running: a hidden tab).
   */
  offer(batch: readonly TickerItem[]): { added: boolean; trimmed: boolean } {
    const scope = this.#scope;
    const fresh = batch.filter((i) => isWithin(i.region, scope) && !this.#seen.has(i.id));
    if (fresh.length === 0) return { added: false, trimmed: false };
    for (const i of fresh) this.#seen.add(i.id);
    if (this.#seen.size > 1000) {
      this.#seen.clear();
      for (const i of batch) this.#seen.add(i.id);
    }
    let next = [...this.items, ...fresh];
    const trimmed = next.length > this.#cap;
    if (trimmed) next = next.slice(-this.#cap);
    this.items = next;
    return { added: true, trimmed };
  }

  /** The first item has scrolled out of sight. */
  shift(): void {
    this.items = this.items.slice(1);
  }
}
