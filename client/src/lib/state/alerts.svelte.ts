import type { AlertState, AlertView } from '../../../../shared/schemas/alert.ts';
import { isWithin } from '../../../../shared/regions.ts';
import { WARNING_LEVELS } from '../../../../shared/vocab.ts';

/** States in which an alert is no longer open and leaves the wall's list. */
const DONE: ReadonlySet<AlertState> = new Set(['resolved', 'closed']);
const LEVEL_RANK = new Map(WARNING_LEVELS.map((l, i) => [l, i]));

/** Most severe first, then newest first (the snapshot's own order). */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return (
    (LEVEL_RANK.get(a.level) ?? 9) - (LEVEL_RANK.get(b.level) ?? 9) ||
    (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)
  );
}

/**
 * The open alerts of the shown region's subtree: reset from each full snapshot, then kept by
 * `alert` events (upsert by id; resolved and closed ones leave), capped.
 */
export class AlertsState {
  items = $state.raw<AlertView[]>([]);
  #scope: string | null = null;
  readonly #cap: number;

  constructor(cap = 50) {
    this.#cap = cap;
  }

  reset(scope: string, alerts: readonly AlertView[]): void {
    this.#scope = scope;
    this.items = alerts
      .filter((a) => !DONE.has(a.state))
      .sort(compareAlerts)
      .slice(0, this.#cap);
  }

  clear(scope: string | null): void {
    this.#scope = scope;
    this.items = [];
  }

  upsert(alert: AlertView): void {
    // An alert for a region we just left can still be on the wire.
    if (!this.#scope || !isWithin(alert.region, this.#scope)) return;
    const rest = this.items.filter((a) => a.id !== alert.id);
    if (!DONE.has(alert.state)) rest.push(alert);
    this.items = rest.sort(compareAlerts).slice(0, this.#cap);
  }
}
