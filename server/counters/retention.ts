/**
 * How long things live in Redis. The one invariant that matters: an event id is remembered for
 * longer than the oldest event ingest accepts, so a re-sent event is always seen as a duplicate;
 * and a closed case is remembered at least as long, so a late event of it finds its case instead
 * of counting it a second time.
 */
import { dayStart, shiftMonth } from '../time/beijing.ts';

const DAY_S = 86_400;

/**
 * How far back history reaches, in days: the one setting the ingest age limit, the dedupe marks,
 * the closed cases and the case index derive from. The 通报 of the last complete month needs up to
 * 62 days of history (from the 1st of last month to the 31st of this one); one more day leaves room
 * for the senders' margins (the simulator keeps an hour inside it).
 */
export const HISTORY_DAYS = 63;

export const RETENTION = {
  /** Ingest rejects events that occurred longer ago than this. */
  maxEventAgeMs: HISTORY_DAYS * DAY_S * 1000,
  /** …or further in the future than this (clock skew of the sending systems). */
  maxFutureSkewMs: 5 * 60 * 1000,
  /** Dedupe/applied marker of an event id: longer than maxEventAge. */
  eventMarkTtlS: (HISTORY_DAYS + 1) * DAY_S,
  /** Day hashes (today, yesterday, 48 h series, sliding windows, the spike baseline of 7 weeks). */
  dayTtlS: 50 * DAY_S,
  /** Days before today whose day buckets are still updated (must stay below dayTtlS). */
  dayBucketsKept: 45,
  /** Month hashes: 13 months for the 平安指数 trend. */
  monthTtlS: 400 * DAY_S,
  monthBucketsKept: 12,
  /**
   * A closed case is forgotten this long after its last change (open cases are kept): longer than
   * maxEventAge, so no accepted event can find its closed case gone and count it again.
   */
  closedCaseTtlS: (HISTORY_DAYS + 5) * DAY_S,
  /**
   * Days before today whose closed cases the case index lists (open cases are listed whatever their
   * age, as the open counters count them). Below closedCaseTtlS, so a listed case is still there.
   */
  caseIndexDays: HISTORY_DAYS,
  /** The case index of a region that has no new case for this long is dropped whole. */
  caseIndexTtlS: (HISTORY_DAYS + 2) * DAY_S,
  /**
   * Replay records (server/replay/): kept two days beyond the replay window (REPLAY_DAYS), so the
   * base a moment at the window's far edge starts from is still there.
   */
  replayTtlS: 32 * DAY_S,
} as const;

/**
 * The TTL (s) that makes a key expire at `expiresAtS` by the server's clock at `nowMs`; 0 or less
 * when that moment has passed (EXPIRE then deletes the key: data beyond its retention is not
 * kept, even for a moment). Expiries are written as TTLs, not as EXPIREAT: the server's clock is
 * the one events are judged by (tests move it), and Redis's own may differ from it.
 */
export function ttlUntil(expiresAtS: number, nowMs: number): number {
  return Math.ceil(expiresAtS - nowMs / 1000);
}

/**
 * When a closed case should be forgotten (epoch s): its retention counted from its latest event,
 * not from when it was applied, so a case applied late (a backlog, an import) lives no longer
 * than one applied live; still after the oldest event ingest accepts of it could arrive.
 */
export function closedCaseExpiresAtS(latestEventMs: number): number {
  return Math.floor(latestEventMs / 1000) + RETENTION.closedCaseTtlS;
}

/** When an event id's dedupe mark should go (epoch s): from when the event happened. */
export function eventMarkExpiresAtS(eventMs: number): number {
  return Math.floor(eventMs / 1000) + RETENTION.eventMarkTtlS;
}

/**
 * When a day or month counter hash should expire (epoch s), counted from when its bucket ended
 * rather than from the write, for the live aggregator and the import alike: a late event or
 * loaded history lives no longer than the bucket's other counts.
 * A day bucket is a Beijing day number, a month bucket `YYYYMM`.
 */
export function bucketExpiresAtS(bucket: number | string): number {
  if (typeof bucket === 'number') return dayStart(bucket + 1) / 1000 + RETENTION.dayTtlS;
  const next = shiftMonth(bucket, 1);
  const firstOfNext = Date.parse(`${next.slice(0, 4)}-${next.slice(4)}-01T00:00:00+08:00`);
  return firstOfNext / 1000 + RETENTION.monthTtlS;
}

/**
 * The TTL (s) a day or month counter hash is given on each write, by the live commit and the
 * import alike: until its bucket's retention ends (bucketExpiresAtS), by the server's clock at
 * `nowMs`. 0 or less deletes the hash (past its retention).
 */
export function bucketTtlS(bucket: number | string, nowMs: number): number {
  return ttlUntil(bucketExpiresAtS(bucket), nowMs);
}
