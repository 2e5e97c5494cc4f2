import { describe, expect, it } from 'vitest';
import { HISTORY_DAYS, RETENTION } from '../../server/counters/retention.ts';
import { validateEvents } from '../../server/ingest/validate.ts';
import { MAX_BACKFILL_DAYS, MAX_EVENT_AGE_MS } from '../../server/simulator/backfill.ts';
import { lastMonthStart, olderHistoryFrom } from '../../server/simulator/older-history.ts';
import { loadConfig } from '../../server/config.ts';
import { isoBeijing } from '../../server/time/beijing.ts';

/**
 * One setting, HISTORY_DAYS, says how far back history reaches: ingest's age limit, the dedupe
 * marks, closed cases, the case index and the simulator's backfill all follow it, and it holds the
 * last complete month seen from any day of the current one (the 通报's month).
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-08-31T23:30:00+08:00');

const event = (ageMs: number) => ({
  id: `age-${ageMs}`,
  caseId: `age-${ageMs}`,
  kind: 'incident',
  category: 'traffic',
  status: 'reported',
  severity: 1,
  region: '620702',
  occurredAt: isoBeijing(NOW - ageMs),
  channel: 'grid',
  summary: '',
});
const validate = (ageMs: number) => validateEvents([event(ageMs)], { source: 'test', now: NOW, hasRegion: () => true });

describe('the history window', () => {
  it('ingest accepts an event up to HISTORY_DAYS old and refuses an older one, naming occurredAt', () => {
    expect(validate(HISTORY_DAYS * DAY - 1000).events).toHaveLength(1);
    const r = validate(HISTORY_DAYS * DAY + 1000);
    expect(r.events).toHaveLength(0);
    expect(r.rejected[0]!.errors).toEqual([`occurredAt: older than ${HISTORY_DAYS} days`]);
  });

  it('covers the last complete month on its last day, at its last minute', () => {
    // 31 August 23:30: July began 61 days 23.5 hours ago.
    expect(lastMonthStart(NOW)).toBe(Date.parse('2026-07-01T00:00:00+08:00'));
    expect(validate(NOW - lastMonthStart(NOW)).events).toHaveLength(1);
    // The simulator keeps its margin inside ingest's limit and still reaches the 1st.
    expect(NOW - lastMonthStart(NOW)).toBeLessThanOrEqual(MAX_EVENT_AGE_MS);
    expect(olderHistoryFrom(NOW)).toBe(lastMonthStart(NOW));
    // Early in a month the older history starts on the 1st of the month before too.
    const early = Date.parse('2026-03-01T00:10:00+08:00');
    expect(olderHistoryFrom(early)).toBe(Date.parse('2026-02-01T00:00:00+08:00'));
  });

  it('derives every other bound from it, in the order the invariants need', () => {
    expect(RETENTION.maxEventAgeMs).toBe(HISTORY_DAYS * DAY);
    expect(RETENTION.eventMarkTtlS * 1000).toBeGreaterThan(RETENTION.maxEventAgeMs);
    expect(RETENTION.closedCaseTtlS * 1000).toBeGreaterThan(RETENTION.maxEventAgeMs);
    expect(RETENTION.caseIndexDays * DAY).toBeLessThan(RETENTION.closedCaseTtlS * 1000);
    expect(MAX_EVENT_AGE_MS).toBeLessThan(RETENTION.maxEventAgeMs);
    expect(MAX_BACKFILL_DAYS * DAY).toBeLessThanOrEqual(MAX_EVENT_AGE_MS);
  });

  it('lets SIMULATOR_BACKFILL_DAYS reach the whole window and no further', () => {
    expect(loadConfig({ SIMULATOR_BACKFILL_DAYS: String(MAX_BACKFILL_DAYS) }).simulatorBackfillDays).toBe(
      MAX_BACKFILL_DAYS,
    );
    expect(() => loadConfig({ SIMULATOR_BACKFILL_DAYS: String(MAX_BACKFILL_DAYS + 1) })).toThrow(
      /SIMULATOR_BACKFILL_DAYS/,
    );
    expect(loadConfig({}).simulatorHistory).toBe(true);
    expect(loadConfig({ SIMULATOR_HISTORY: 'off' }).simulatorHistory).toBe(false);
  });
});
