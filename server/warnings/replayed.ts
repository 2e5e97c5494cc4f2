import type { Warning } from './types.ts';

/**
 * A replayed event (history the simulator's backfill hands over, flagged by ingest) delivered
 * longer ago than this is dated by its delivery: the alert it raises belongs to that moment, not to
 * now. The backfill's last minutes stay live, as today's alerts for the desk. Only the flag makes
 * an event history: a live report the aggregator reads late (a backlog after a stall or a crash)
 * is raised now, pushed and timed like any other.
 */
export const REPLAY_LAG_MS = 15 * 60_000;

/** A live event's mark in the arrivals: what it rests on is raised now. */
const LIVE = null;

/**
 * Arrival times of a batch's replayed events, by event id and by case (the latest of the case's);
 * a live event, or one without an arrival time, marks its id and its case live.
 */
export function arrivalsOf(
  events: readonly { id: string; caseId: string; receivedAt?: number | undefined; replayed?: boolean | undefined }[],
) {
  const byEvent = new Map<string, number | typeof LIVE>();
  const byCase = new Map<string, number | typeof LIVE>();
  for (const e of events) {
    const t = e.replayed && e.receivedAt !== undefined ? e.receivedAt : LIVE;
    byEvent.set(e.id, t);
    const prev = byCase.get(e.caseId);
    byCase.set(e.caseId, prev === LIVE || t === LIVE ? LIVE : Math.max(prev ?? -Infinity, t));
  }
  return { byEvent, byCase };
}

export type Arrivals = ReturnType<typeof arrivalsOf>;

/**
 * `arrivalsOf`, built on first use: most batches raise nothing, and building the two maps for
 * every batch cost the ingest thread ≈ 3 % of its time (a CPU profile of the ingest bench).
 */
export function arrivalsWhenAsked(events: () => Parameters<typeof arrivalsOf>[0]): () => Arrivals {
  let built: Arrivals | undefined;
  return () => (built ??= arrivalsOf(events()));
}

/**
 * When a warning about replayed history would have been raised: the latest arrival among the
 * batch's events it rests on (its evidence, by event id, else by case). Undefined, i.e. now, when
 * any of them is live or arrived within REPLAY_LAG_MS, or when it rests on none of the batch's
 * events (a baseline, a count).
 */
export function replayedAt(w: Warning, arrivals: Arrivals, now: number): number | undefined {
  let latest: number | undefined;
  for (const e of w.evidence) {
    const known = arrivals.byEvent.has(e.id);
    const t = known ? arrivals.byEvent.get(e.id) : e.caseId === undefined ? undefined : arrivals.byCase.get(e.caseId);
    if (t === undefined) continue;
    if (t === LIVE || t > now - REPLAY_LAG_MS) return undefined;
    latest = Math.max(latest ?? -Infinity, t);
  }
  return latest;
}
