/**
 * The state of the link to the server as the wall must admit it: live, reconnecting, or stale
 * (disconnected long enough that the numbers on screen are old, with their age).
 */

export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'stale';

export const LINK_LABELS: Record<LinkStatus, string> = {
  connecting: '连接中',
  live: '实时',
  reconnecting: '重连中',
  stale: '数据已过期',
};

export interface LinkFacts {
  connected: boolean;
  /** Epoch ms of the last sign of life: snapshot, delta, alert, ticker or heartbeat; null if never. */
  lastHeard: number | null;
}

/** Status from the facts: stale once nothing was heard for `staleAfterMs` while disconnected. */
export function linkStatus(f: LinkFacts, now: number, staleAfterMs: number): LinkStatus {
  if (f.connected) return 'live';
  if (f.lastHeard === null) return 'connecting';
  return now - f.lastHeard >= staleAfterMs ? 'stale' : 'reconnecting';
}

/** Seconds since the last sign of life (0 when never heard). */
export function dataAgeSeconds(f: LinkFacts, now: number): number {
  return f.lastHeard === null ? 0 : Math.max(0, Math.floor((now - f.lastHeard) / 1000));
}

export class ConnectionState {
  connected = $state(false);
  lastHeard = $state<number | null>(null);

  readonly #now: () => number;
  readonly #staleAfterMs: number;

  /** `now` should read a reactive clock (ClockState.now) so the status re-derives every second. */
  constructor(now: () => number, staleAfterMs = 10_000) {
    this.#now = now;
    this.#staleAfterMs = staleAfterMs;
  }

  // Getters, not $derived fields: they read the reactive clock, so they re-evaluate with it.
  get status(): LinkStatus {
    return linkStatus({ connected: this.connected, lastHeard: this.lastHeard }, this.#now(), this.#staleAfterMs);
  }

  get ageSeconds(): number {
    return dataAgeSeconds({ connected: this.connected, lastHeard: this.lastHeard }, this.#now());
  }

  get label(): string {
    return this.status === 'stale' ? `${LINK_LABELS.stale} ${this.ageSeconds}秒` : LINK_LABELS[this.status];
  }

  markConnected(at: number): void {
    this.connected = true;
    this.lastHeard = at;
  }

  markDisconnected(): void {
    this.connected = false;
  }

  /** Any message or heartbeat from the server. */
  heard(at: number): void {
    this.lastHeard = at;
  }
}
