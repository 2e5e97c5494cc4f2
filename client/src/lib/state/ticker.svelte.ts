import type { TickerItem } from '../../../../shared/events.ts';
import { isWithin } from '../../../../shared/regions.ts';

/** The last live events of the shown region's subtree, oldest first, for the scrolling ticker. */
export class TickerState {
  items = $state.raw<TickerItem[]>([]);
  #scope: string | null = null;
  readonly #cap: number;

  constructor(cap = 30) {
    this.#cap = cap;
  }

  reset(scope: string | null): void {
    this.#scope = scope;
    this.items = [];
  }

  push(batch: readonly TickerItem[]): void {
    const scope = this.#scope;
    if (!scope) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local de-duplication set
    const seen = new Set(this.items.map((i) => i.id));
    const fresh = batch.filter((i) => isWithin(i.region, scope) && !seen.has(i.id) && seen.add(i.id));
    if (fresh.length) this.items = [...this.items, ...fresh].slice(-this.#cap);
  }
}
