/**
 * How long things live in Redis. The one invariant that matters: an event id is remembered for
 * longer than the oldest event ingest accepts, so a re-sent event is always seen as a duplicate.
 */
const DAY_S = 86_400;

export const RETENTION = {
  /** Ingest rejects events that occurred longer ago than this. */
  maxEventAgeMs: 40 * DAY_S * 1000,
  /** …or further in the future than this (clock skew of the sending systems). */
  maxFutureSkewMs: 5 * 60 * 1000,
  /** Dedupe/applied marker of an event id: longer than maxEventAge. */
  eventMarkTtlS: 41 * DAY_S,
  /** Day hashes (today, yesterday, 48 h series, sliding windows, the spike baseline of 7 weeks). */
  dayTtlS: 50 * DAY_S,
  /** Days before today whose day buckets are still updated (must stay below dayTtlS). */
  dayBucketsKept: 45,
  /** Month hashes: 13 months for the 平安指数 trend. */
  monthTtlS: 400 * DAY_S,
  monthBucketsKept: 12,
  /** A closed case is forgotten this long after its last event (open cases are kept). */
  closedCaseTtlS: 45 * DAY_S,
  /**
   * Replay records (server/replay/): kept two days beyond the replay window (REPLAY_DAYS), so the
   * base a moment at the window's far edge starts from is still there.
   */
  replayTtlS: 32 * DAY_S,
  /** The events stream keeps this much history beyond what the aggregator has acknowledged. */
  streamHistoryMs: 3 * DAY_S * 1000,
} as const;
