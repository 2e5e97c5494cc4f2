import type { AlertView } from '../../../../shared/schemas/alert.ts';
import { isWithin } from '../../../../shared/regions.ts';
import { WARNING_LEVELS } from '../../../../shared/vocab.ts';

const LEVEL_RANK = new Map(WARNING_LEVELS.map((l, i) => [l, i]));

/** 挂牌督办 bites: an overdue supervised alert first, then the supervised ones, then the rest. */
const supervisionRank = (a: AlertView) => (a.supervision?.overdue ? 0 : a.supervised ? 1 : 2);

/** The duty queue's order: supervised first, then most severe, then the longest waiting first. */
export function compareQueue(a: AlertView, b: AlertView): number {
  return (
    supervisionRank(a) - supervisionRank(b) ||
    (LEVEL_RANK.get(a.level) ?? 9) - (LEVEL_RANK.get(b.level) ?? 9) ||
    (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)
  );
}

export type QueueTab = 'open' | 'desk' | 'verify' | 'supervise' | 'done';

/** Most the console keeps; the server's list is capped too. */
const CAP = 500;

/**
 * The officer's alerts: open ones and those resolved awaiting verification (核验), of the home
 * region's subtree. Loaded whole from the API, then kept by `alert` events; a closed alert leaves.
 */
export class DutyQueue {
  items = $state.raw<AlertView[]>([]);
  /** The last 已办结 search's results: closed alerts, kept apart from the work queue. */
  closed = $state.raw<AlertView[]>([]);
  /** What this level supervises (挂牌督办), as the server orders it: overdue first. */
  supervising = $state.raw<AlertView[]>([]);
  tab = $state<QueueTab>('open');
  selectedId = $state<string | null>(null);
  readonly home: string;

  constructor(home: string) {
    this.home = home;
  }

  readonly open = $derived(this.items.filter((a) => a.state !== 'resolved'));
  readonly atDesk = $derived(this.open.filter((a) => a.desk === this.home));
  readonly toVerify = $derived(this.items.filter((a) => a.state === 'resolved'));
  readonly shown = $derived(
    this.tab === 'desk'
      ? this.atDesk
      : this.tab === 'verify'
        ? this.toVerify
        : this.tab === 'done'
          ? this.closed
          : this.tab === 'supervise'
            ? this.supervising
            : this.open,
  );
  readonly selected = $derived(
    this.items.find((a) => a.id === this.selectedId) ??
      this.supervising.find((a) => a.id === this.selectedId) ??
      this.closed.find((a) => a.id === this.selectedId) ??
      null,
  );

  reset(alerts: readonly AlertView[]): void {
    this.items = alerts
      .filter((a) => a.state !== 'closed' && isWithin(a.region, this.home))
      .sort(compareQueue)
      .slice(0, CAP);
    if (!this.selectedId || !this.selected) this.selectedId = this.shown[0]?.id ?? null;
  }

  /** A new or changed alert; returns whether it was unknown before (for the sound). */
  upsert(alert: AlertView): boolean {
    if (!isWithin(alert.region, this.home)) return false;
    const known = this.items.some((a) => a.id === alert.id);
    const at = this.shown.findIndex((a) => a.id === this.selectedId);
    const rest = this.items.filter((a) => a.id !== alert.id);
    if (alert.state !== 'closed') rest.push(alert);
    this.items = rest.sort(compareQueue).slice(0, CAP);
    if (!this.selectedId) this.selectedId = alert.id;
    else if (!this.selected) this.#selectNear(at);
    return !known;
  }

  /**
   * The selected alert left (核验 closed it): open the one that took its place in the list, so the
   * officer goes on with the next while others wait; once a tab is empty, the first open alert.
   */
  #selectNear(at: number): void {
    if (this.shown.length === 0 && this.tab !== 'open') this.tab = 'open';
    const list = this.shown;
    this.selectedId = list[Math.min(Math.max(at, 0), list.length - 1)]?.id ?? null;
  }

  select(id: string | null): void {
    this.selectedId = id;
  }

  /** Moves the selection within the shown list (keyboard ↑ ↓). */
  step(delta: number): void {
    const list = this.shown;
    if (!list.length) return;
    const i = list.findIndex((a) => a.id === this.selectedId);
    const next = i < 0 ? 0 : Math.min(list.length - 1, Math.max(0, i + delta));
    this.selectedId = list[next]!.id;
  }
}
