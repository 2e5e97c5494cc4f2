import { describe, expect, it } from 'vitest';
import { signClock } from '../../../client/src/duty/sign-clock.ts';
import { alert } from './fixtures.ts';

const NOW = Date.parse('2026-11-22T10:30:00.000+08:00');

describe('the sign clock of an alert', () => {
  it('counts down the minutes left to sign while the deadline is ahead', () => {
    expect(signClock(alert('a', { signBy: '2026-11-22T10:34:10.000+08:00' }), NOW)).toEqual({
      text: '5分钟内签收',
      late: false,
    });
  });

  it('says how many minutes an unsigned alert is overdue, not only that it is', () => {
    expect(signClock(alert('a', { signBy: '2026-11-22T10:13:00.000+08:00' }), NOW)).toEqual({
      text: '超时 17 分钟',
      late: true,
    });
  });

  it('gives hours and minutes once an alert is overdue by more than an hour', () => {
    expect(signClock(alert('a', { signBy: '2026-11-22T07:55:00.000+08:00' }), NOW)?.text).toBe('超时 2 小时 35 分钟');
  });

  it('has nothing to say about a signed alert', () => {
    expect(signClock(alert('a', { signedBy: 'li', signedAt: '2026-11-22T10:00:00.000+08:00' }), NOW)).toBeNull();
  });
});
