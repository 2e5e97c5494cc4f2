import { describe, expect, it } from 'vitest';
import { checkIn, checkInLate, checkInLine } from '../../../client/src/lib/checkin.ts';
import { alert } from './fixtures.ts';

const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000+08:00`;
const now = Date.parse(at('10:30'));
const dept = (name: string, dispatched: string, checkedIn?: string) => ({
  name,
  dispatchedAt: at(dispatched),
  dispatchedBy: 'duty1',
  ...(checkedIn ? { checkedInAt: at(checkedIn), checkedInBy: name } : {}),
});

describe('中心吹哨、部门报到 on the wall', () => {
  it('names the departments that have not reported, in the order they were called, with the longest wait', () => {
    const a = alert('a1', {
      state: 'dispatched',
      departments: [dept('公安局', '10:10'), dept('民政局', '10:12', '10:20'), dept('司法局', '10:18')],
    });
    expect(checkIn(a)).toEqual({ pending: ['公安局', '司法局'], total: 3, waitingSince: at('10:10') });
    expect(checkInLine(a, now)).toBe('待报到：公安局、司法局 · 已等20分钟');
  });

  it('says so when every department has reported', () => {
    const a = alert('a2', { departments: [dept('公安局', '10:10', '10:11'), dept('司法局', '10:10', '10:15')] });
    expect(checkInLine(a, now)).toBe('2个部门已全部报到');
    expect(checkInLine(alert('a3', { departments: [dept('公安局', '10:10', '10:11')] }), now)).toBe('部门已报到');
  });

  it('leaves out the wait while it is under a minute', () => {
    expect(checkInLine(alert('a4', { departments: [dept('公安局', '10:30')] }), now)).toBe('待报到：公安局');
  });

  it('shows nothing for an alert not yet dispatched to anyone', () => {
    expect(checkInLine(alert('a5'), now)).toBeNull();
    expect(checkInLine(alert('a6', { departments: [] }), now)).toBeNull();
  });

  it('says 待报到 · 超时 N 分钟 when a department is past its report-in deadline, by the latest of them', () => {
    const a = alert('late', {
      state: 'dispatched',
      departments: [
        { ...dept('公安局', '09:50'), reportBy: at('10:20') },
        { ...dept('司法局', '09:50'), reportBy: at('10:05') },
        { ...dept('民政局', '10:00'), reportBy: at('10:40') },
      ],
    });
    expect(checkInLine(a, now)).toBe('待报到 · 超时 25 分钟：司法局、公安局');
    expect(checkInLate(a, now)).toBe(true);
  });

  it('is not late while every deadline is ahead, or once the late department has reported', () => {
    const ahead = alert('ahead', { departments: [{ ...dept('公安局', '10:10'), reportBy: at('10:40') }] });
    expect(checkInLate(ahead, now)).toBe(false);
    const reported = alert('rep', { departments: [{ ...dept('公安局', '09:10', '10:25'), reportBy: at('09:40') }] });
    expect(checkInLate(reported, now)).toBe(false);
  });
});
