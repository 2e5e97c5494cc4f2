import { describe, expect, it } from 'vitest';
import { TZDate } from '@date-fns/tz';
import { buckets, dayNumber, dayStart, isoBeijing, shiftMonth } from '../../server/time/beijing.ts';

/** The same buckets from the zone database, the slow and obviously right way. */
function reference(ms: number) {
  const d = new TZDate(ms, 'Asia/Shanghai');
  const minute = d.getHours() * 60 + d.getMinutes();
  return {
    month: `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}`,
    hour: d.getHours(),
    slot: Math.floor(minute / 5),
    date: `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`,
  };
}

describe('Beijing time by arithmetic', () => {
  // Midnights, month and year ends in Beijing (16:00 UTC the day before), leap days, and a spread
  // of ordinary moments between 1992 and 2040.
  const edges = [
    Date.UTC(2026, 10, 22, 15, 59, 59, 999),
    Date.UTC(2026, 10, 22, 16, 0, 0, 0),
    Date.UTC(2026, 11, 31, 15, 59, 59, 999),
    Date.UTC(2026, 11, 31, 16, 0, 0, 0),
    Date.UTC(2028, 1, 28, 16, 0, 0, 0),
    Date.UTC(2028, 1, 29, 15, 59, 0, 0),
    Date.UTC(2026, 0, 31, 16, 4, 59, 999),
    Date.UTC(2026, 0, 31, 16, 5, 0, 0),
  ];
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const spread = Array.from({ length: 2000 }, () =>
    Math.floor(Date.UTC(1992, 0, 1) + random() * 48 * 365 * 86_400_000),
  );

  it('gives the zone database’s month, hour and five-minute slot', () => {
    for (const ms of [...edges, ...spread]) {
      const b = buckets(ms);
      const r = reference(ms);
      expect({ ms, month: b.month, hour: b.hour, slot: b.slot }).toEqual({
        ms,
        month: r.month,
        hour: r.hour,
        slot: r.slot,
      });
    }
  });

  it('numbers days from Beijing midnight, and dayStart inverts it', () => {
    for (const ms of [...edges, ...spread]) {
      const day = dayNumber(ms);
      expect(ms).toBeGreaterThanOrEqual(dayStart(day));
      expect(ms).toBeLessThan(dayStart(day + 1));
      const r = reference(dayStart(day));
      expect([r.hour, r.slot, r.date]).toEqual([0, 0, reference(ms).date]);
    }
  });

  it('shifts months across years and writes ISO times with +08:00', () => {
    expect([shiftMonth('202611', 2), shiftMonth('202601', -1), shiftMonth('202612', -24)]).toEqual([
      '202701',
      '202512',
      '202412',
    ]);
    expect(isoBeijing(Date.UTC(2026, 10, 22, 16, 0, 0, 120))).toBe('2026-11-23T00:00:00.120+08:00');
  });
});
