import { describe, expect, it } from 'vitest';
import { allFedBack, deptStatus } from '../../../client/src/lib/dept-status.ts';
import type { DepartmentView } from '../../../shared/schemas/alert.ts';

const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000+08:00`;
const NOW = Date.parse(at('10:30'));
const dep = (over: Partial<DepartmentView> = {}): DepartmentView => ({
  name: '公安局',
  id: 'dep-620702-police',
  dispatchedAt: at('10:00'),
  dispatchedBy: 'zhou',
  reportBy: at('10:40'),
  ...over,
});

describe("a dispatched department's report-in state on the desk", () => {
  it('is 待报到 with its deadline while the deadline is ahead', () => {
    expect(deptStatus(dep(), NOW)).toEqual({ state: 'pending', text: '待报到（10:40 前）', late: false });
  });

  it('is 超时未报到 N 分钟, in red, once the deadline has passed', () => {
    expect(deptStatus(dep({ reportBy: at('10:12') }), NOW)).toEqual({
      state: 'late',
      text: '超时未报到 18 分钟',
      late: true,
    });
  });

  it('is 已报到 with the time, and says when it was late or recorded by the desk', () => {
    expect(deptStatus(dep({ checkedInAt: at('10:20'), checkedInBy: 'police' }), NOW).text).toBe('10:20 已报到');
    expect(
      deptStatus(dep({ checkedInAt: at('10:50'), lateAt: at('10:41'), checkinOnBehalf: { reason: '电话' } }), NOW),
    ).toEqual({ state: 'checked', text: '10:50 已报到（超时 · 代为报到）', late: false });
  });

  it('is 已反馈 with the result once the department fed back', () => {
    const fed = dep({
      checkedInAt: at('10:20'),
      feedback: { text: '已到场', result: 'partly', at: at('10:28'), by: 'police' },
    });
    expect(deptStatus(fed, NOW)).toEqual({ state: 'fed', text: '已反馈 · 部分处置', late: false });
  });

  it('offers 办结 only when every department dispatched to has fed back', () => {
    const fed = dep({ feedback: { text: '好', result: 'handled', at: at('10:28'), by: 'x' } });
    expect(allFedBack([fed, fed])).toBe(true);
    expect(allFedBack([fed, dep()])).toBe(false);
    expect(allFedBack([])).toBe(false);
  });
});
