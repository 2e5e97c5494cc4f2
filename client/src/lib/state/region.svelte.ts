import { fail, type Ack, type ApiError } from '../../../../shared/ack.ts';
import { applyChanges, type Delta } from '../../../../shared/delta.ts';
import type { Snapshot } from '../../../../shared/schemas/snapshot.ts';

/** Runs `fn` once soon (next animation frame in the browser); returns a cancel function. */
export type Scheduler = (fn: () => void) => () => void;

export interface BatchResult {
  snapshot: Snapshot;
  /** How many deltas were applied. */
  applied: number;
  /** A delta skipped a sequence number: the snapshot can no longer be trusted, fetch a fresh one. */
  gap: boolean;
}

/**
 * Applies, in arrival order, the deltas that continue `snapshot` (seq n + 1, n + 2, …) to one
 * structured clone and returns it; the input is never mutated. Deltas already contained in the
 * snapshot (seq ≤ n) are ignored; one that skips ahead stops the batch and reports a gap.
 */
export function applyBatch(snapshot: Snapshot, deltas: readonly Delta[]): BatchResult {
  let next: Snapshot | null = null;
  let seq = snapshot.seq;
  let applied = 0;
  for (const d of deltas) {
    if (d.region !== snapshot.region.code || d.seq <= seq) continue;
    if (d.seq !== seq + 1) return { snapshot: next ?? snapshot, applied, gap: true };
    next ??= structuredClone(snapshot);
    applyChanges(next, d.changes);
    next.seq = d.seq;
    next.asOf = d.asOf;
    seq = d.seq;
    applied++;
  }
  return { snapshot: next ?? snapshot, applied, gap: false };
}

export interface RegionDeps {
  /** Joins the region's room; resolves with its snapshot (or an error), never rejects. */
  request(code: string): Promise<Ack<Snapshot>>;
  /** Leaves a region's room (fire and forget). */
  release(code: string): void;
  /** Whether a request can be sent now; when not, the next `resync()` (on connect) sends it. */
  canRequest(): boolean;
  schedule: Scheduler;
  /** Every new snapshot: `full` for one fetched whole, false for one built from deltas. */
  onSnapshot?(snapshot: Snapshot, full: boolean): void;
  onError?(error: ApiError): void;
  /** Delay before retrying after a transient failure (unavailable, internal, rate_limited). */
  retryMs?: number;
}

/** Deltas kept while a snapshot request is in flight; beyond this the snapshot alone is trusted. */
const MAX_PENDING = 2000;
const TRANSIENT = new Set(['unavailable', 'internal', 'rate_limited', 'too_many_subscriptions']);

/**
 * The region a screen shows: its snapshot, kept current by numbered deltas. The snapshot is
 * `$state.raw` and replaced whole once per batch, so every panel re-derives from one consistent
 * value. A gap in the sequence, a reconnect or a region change fetches a fresh snapshot.
 */
export class RegionState {
  /** The region selected for display (the snapshot may still be of the previous one while loading). */
  code = $state<string | null>(null);
  snapshot = $state.raw<Snapshot | null>(null);
  error = $state.raw<ApiError | null>(null);
  loading = $state(false);

  #deps: RegionDeps;
  #pending: Delta[] = [];
  #cancelFlush: (() => void) | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every request, so a late reply for an earlier one is dropped. */
  #generation = 0;
  #disposed = false;

  constructor(deps: RegionDeps) {
    this.#deps = deps;
  }

  /** Shows a region: leaves the previous room and joins this one. */
  select(code: string): void {
    if (code === this.code) return;
    const previous = this.code;
    if (previous) this.#deps.release(previous);
    this.code = code;
    // Never show one region's numbers under another region's name, even for a moment.
    this.snapshot = null;
    this.error = null;
    this.#pending = [];
    void this.resync();
  }

  /** Fetches a fresh snapshot of the current region (after a gap, a reconnect or an error). */
  async resync(): Promise<void> {
    const code = this.code;
    if (!code || this.#disposed) return;
    this.#clearRetry();
    if (!this.#deps.canRequest()) return;
    const generation = ++this.#generation;
    this.loading = true;
    let reply: Ack<Snapshot>;
    try {
      reply = await this.#deps.request(code);
    } catch {
      reply = fail('unavailable', 'request failed');
    }
    if (generation !== this.#generation || this.#disposed) return;
    this.loading = false;
    if (!reply.ok) {
      this.error = reply.error;
      this.#deps.onError?.(reply.error);
      if (TRANSIENT.has(reply.error.code))
        this.#retry = setTimeout(() => void this.resync(), this.#deps.retryMs ?? 5000);
      return;
    }
    this.error = null;
    // Deltas that arrived while the request was in flight and continue the new snapshot.
    const { snapshot, gap } = applyBatch(reply.data, this.#pending);
    this.#pending = [];
    this.#replace(snapshot, true);
    if (gap) void this.resync();
  }

  /** Takes a delta from the socket; deltas are applied together once per frame. */
  receive(delta: Delta): void {
    if (delta.region !== this.code || this.#disposed) return;
    this.#pending.push(delta);
    if (this.#pending.length > MAX_PENDING) this.#pending = this.#pending.slice(-MAX_PENDING);
    if (this.loading || this.#cancelFlush) return;
    this.#cancelFlush = this.#deps.schedule(() => {
      this.#cancelFlush = null;
      this.flush();
    });
  }

  /** Applies the deltas gathered since the last flush in one pass (public for tests). */
  flush(): void {
    const current = this.snapshot;
    if (!current || this.loading || current.region.code !== this.code) return;
    const batch = this.#pending;
    this.#pending = [];
    const { snapshot, applied, gap } = applyBatch(current, batch);
    if (applied > 0) this.#replace(snapshot, false);
    if (gap) void this.resync();
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancelFlush?.();
    this.#cancelFlush = null;
    this.#clearRetry();
    if (this.code) this.#deps.release(this.code);
  }

  #replace(snapshot: Snapshot, full: boolean): void {
    this.snapshot = snapshot;
    this.#deps.onSnapshot?.(snapshot, full);
  }

  #clearRetry(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
  }
}
