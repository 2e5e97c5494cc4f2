import { mergeEvent, newCase, type CaseEvent, type CaseState } from '../aggregate/case-state.ts';

export interface FoldedCase {
  state: CaseState;
  /** Events whose id the case already had (counted once, like a re-sent event live). */
  duplicates: number;
  /** Events of another kind than their case's first (ignored, as the aggregator ignores them). */
  conflicts: number;
  /** The latest event time of the case (ms). */
  lastTs: number;
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
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    if (state.e.includes(e.id)) duplicates++;
    else if (e.k !== state.k) conflicts++;
    else {
      state = mergeEvent(state, e);
      if (e.ts > lastTs) lastTs = e.ts;
    }
  }
  return { state, duplicates, conflicts, lastTs };
}
