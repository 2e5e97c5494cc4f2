import type { AlertView } from '../../../shared/schemas/alert.ts';

const DONE = new Set(['resolved', 'closed']);

/** A red alert on (or waiting for) the stage, with the moment this wall heard of it (epoch ms, the page's clock). */
export interface StagedAlert {
  alert: AlertView;
  heardAt: number;
}

/**
 * A red alert takes the stage: the first time the wall hears of an open red alert (new, or raised
 * to red) it is shown for `showMs`, then the next in line. Several at once queue, in arrival order.
 *
 * A full snapshot (joining a region, a drill, a reconnect) also tells of alerts. Those raised more
 * than `showMs` before the snapshot are history and never staged; a younger one is news the wall
 * would still be showing had it heard it live. Without that window, an alert raised while the wall
 * was between rooms (its subscribe crossing the alert, or a reconnect) never took the stage: the
 * snapshot that carried it marked it known before its live message arrived.
 */
export class RedStage {
  current = $state.raw<AlertView | null>(null);
  /** When the wall heard of `current` (epoch ms): what a test measures the card's render from. */
  heardAt = $state(0);
  /** Waiting behind the one shown. */
  waiting = $state.raw<StagedAlert[]>([]);

  readonly #showMs: number;
  readonly #now: () => number;
  /** Ids already staged or known; capped, oldest forgotten first (a wall runs for weeks). Not reactive: nothing renders it. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #seen = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(showMs: number, now: () => number = () => Date.now()) {
    this.#showMs = showMs;
    this.#now = now;
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > 2000) this.#seen.delete(this.#seen.values().next().value!);
  }

  /**
   * Alerts on screen from a full snapshot read at `asOf` (epoch ms, the server's clock, as the
   * alerts' `createdAt` is): the young open red ones are offered, the rest are known.
   */
  know(alerts: readonly AlertView[], asOf: number): void {
    for (const a of alerts) {
      if (a.level !== 'red') continue;
      const young = Number.isFinite(asOf) && Date.parse(a.createdAt) > asOf - this.#showMs;
      if (young) this.offer(a);
      else this.#remember(a.id);
    }
  }

  offer(a: AlertView): void {
    if (a.level !== 'red' || DONE.has(a.state) || this.#seen.has(a.id)) return;
    this.#remember(a.id);
    const staged = { alert: a, heardAt: this.#now() };
    if (this.current) this.waiting = [...this.waiting, staged].slice(-20);
    else this.#show(staged);
  }

  #show(s: StagedAlert): void {
    this.current = s.alert;
    this.heardAt = s.heardAt;
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
