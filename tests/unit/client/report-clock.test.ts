import { describe, expect, it } from 'vitest';
import { overdueText, reportClock } from '../../../client/src/lib/report-clock.ts';

const NOW = Date.parse('2026-11-22T10:30:00.000+08:00');

describe('the report-in clock of a dispatched department', () => {
  it('counts down the minutes left to report while the deadline is ahead', () => {
    expect(reportClock({ deadline: '2026-11-22T10:42:10.000+08:00' }, NOW)).toEqual({
      text: '13分钟内报到',
      late: false,
      minutes: 13,
    });
  });

  it('gives hours and minutes left when the deadline is hours away', () => {
    expect(reportClock({ deadline: '2026-11-22T18:30:00.000+08:00' }, NOW)?.text).toBe('8小时0分钟内报到');
  });

  it('says how many minutes a department is late, never less than one', () => {
    expect(reportClock({ deadline: '2026-11-22T10:13:00.000+08:00' }, NOW)).toEqual({
      text: '超时 17 分钟',
      late: true,
      minutes: 17,
    });
    expect(reportClock({ deadline: '2026-11-22T10:29:59.000+08:00' }, NOW)?.text).toBe('超时 1 分钟');
  });

  it('has nothing to say once the department has reported, or when there is no deadline', () => {
    expect(
      reportClock({ deadline: '2026-11-22T10:13:00.000+08:00', checkedInAt: '2026-11-22T10:20:00.000+08:00' }, NOW),
    ).toBeNull();
    expect(reportClock({}, NOW)).toBeNull();
    expect(reportClock({ deadline: 'not a time' }, NOW)).toBeNull();
  });
});

describe('overdue text', () => {
  it('switches to hours and minutes past an hour', () => {
    expect(overdueText(59)).toBe('超时 59 分钟');
    expect(overdueText(155)).toBe('超时 2 小时 35 分钟');
  });
});
