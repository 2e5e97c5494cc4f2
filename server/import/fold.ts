import { mergeEvent, newCase, type CaseEvent, type CaseState } from '../aggregate/case-state.ts';

export interface FoldedCase {
  state: CaseState;
  /** Events whose id the case already had (counted once, like a re-sent event live). */
  duplicates: number;
  /** Events of another kind than their case's first (ignored, as the aggregator ignores them). */
  conflicts: number;
  /** The latest event time of the case (ms). */
  lastTs: number;
  /** The summary of the case's earliest event (BatchPlan.applyCase's rule: the event that was i0 when merged). */
  summary: string | undefined;
}

/**
 * A whole case from its events in file order, by the aggregator's own rules (newCase, mergeEvent,
 * the same duplicate and kind checks as BatchPlan.apply), so its final state, and so its counts,
 * are those a live run would reach.
 */
export function foldCase(events: readonly CaseEvent[]): FoldedCase {
  let state = newCase(events[0]!);
  let duplicates = 0;
  let conflicts = 0;
  let lastTs = events[0]!.ts;
  let summary = state.i0 === events[0]!.id ? events[0]!.summary : undefined;
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    if (state.e.includes(e.id)) duplicates++;
    else if (e.k !== state.k) conflicts++;
    else {
      state = mergeEvent(state, e);
      if (state.i0 === e.id) summary = e.summary;
      if (e.ts > lastTs) lastTs = e.ts;
    }
  }
  return { state, duplicates, conflicts, lastTs, summary };
}
