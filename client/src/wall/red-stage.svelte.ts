import type { AlertView } from '../../../shared/schemas/alert.ts';

const DONE = new Set(['resolved', 'closed']);

/**
 * A red alert takes the stage: the first time the wall hears of an open red alert (new, or raised
 * to red) it is shown for `showMs`, then the next in line; alerts the wall already had when it
 * joined its region (the snapshot's) never are. Several at once queue, in arrival order.
 */
export class RedStage {
  current = $state.raw<AlertView | null>(null);
  /** Waiting behind the one shown. */
  waiting = $state.raw<AlertView[]>([]);

  readonly #showMs: number;
  /** Ids already staged or known; capped, oldest forgotten first (a wall runs for weeks). Not reactive: nothing renders it. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #seen = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(showMs: number) {
    this.#showMs = showMs;
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > 2000) this.#seen.delete(this.#seen.values().next().value!);
  }

  /** Alerts on screen from a full snapshot: not news. */
  know(alerts: readonly AlertView[]): void {
    for (const a of alerts) if (a.level === 'red') this.#remember(a.id);
  }

  offer(a: AlertView): void {
    if (a.level !== 'red' || DONE.has(a.state) || this.#seen.has(a.id)) return;
    this.#remember(a.id);
    if (this.current) this.waiting = [...this.waiting, a].slice(-20);
    else this.#show(a);
  }

  #show(a: AlertView): void {
    this.current = a;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.next(), this.#showMs);
  }

  /** The next waiting alert, or none. */
  next(): void {
    const [n, ...rest] = this.waiting;
    this.waiting = rest;
    this.current = null;
    clearTimeout(this.#timer);
    if (n) this.#show(n);
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
