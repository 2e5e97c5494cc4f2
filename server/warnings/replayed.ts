import type { Warning } from './types.ts';

/**
 * An event that reached ingest this long before the rules see it was replayed (the simulator's
 * backfill sends history with the moments its systems delivered it), not live. Generous against
 * an aggregator running behind: a live event read a few minutes late is still live.
 */
export const REPLAY_LAG_MS = 15 * 60_000;

/** Arrival (ingest) times of a batch's events, by event id and by case (the latest of the case's). */
export function arrivalsOf(events: readonly { id: string; caseId: string; receivedAt?: number | undefined }[]) {
  const byEvent = new Map<string, number>();
  const byCase = new Map<string, number>();
  for (const e of events) {
    if (e.receivedAt === undefined) continue;
    byEvent.set(e.id, e.receivedAt);
    byCase.set(e.caseId, Math.max(byCase.get(e.caseId) ?? -Infinity, e.receivedAt));
  }
  return { byEvent, byCase };
}

/**
 * When a warning about replayed history would have been raised: the latest arrival among the
 * batch's events it rests on (its evidence, by event id, else by case). Undefined, i.e. now, when
 * any of them is live, when it rests on none of the batch's events (a baseline, a count), or when
 * the events carry no arrival time.
 */
export function replayedAt(w: Warning, arrivals: ReturnType<typeof arrivalsOf>, now: number): number | undefined {
  let latest: number | undefined;
  for (const e of w.evidence) {
    const t = arrivals.byEvent.get(e.id) ?? (e.caseId === undefined ? undefined : arrivals.byCase.get(e.caseId));
    if (t === undefined) continue;
    if (t > now - REPLAY_LAG_MS) return undefined;
    latest = Math.max(latest ?? -Infinity, t);
  }
  return latest;
}
