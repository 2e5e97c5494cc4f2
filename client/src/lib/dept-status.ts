import type { DepartmentView } from '../../../shared/schemas/alert.ts';
import { FEEDBACK_RESULT_LABELS } from '../../../shared/schemas/department.ts';
import { reportClock } from './report-clock.ts';
import { formatHourMinute } from './time.ts';

/** pending: 待报到 · late: 超时未报到 · checked: 已报到 · fed: 已反馈. */
export type DeptState = 'pending' | 'late' | 'checked' | 'fed';

export interface DeptStatus {
  state: DeptState;
  text: string;
  /** Shown in red. */
  late: boolean;
}

/** One dispatched department as the desk reads it, its lateness counted against `now` (epoch ms). */
export function deptStatus(d: DepartmentView, now: number): DeptStatus {
  if (d.feedback) return { state: 'fed', text: `已反馈 · ${FEEDBACK_RESULT_LABELS[d.feedback.result]}`, late: false };
  if (d.checkedInAt) {
    const marks = [d.lateAt ? '超时' : '', d.checkinOnBehalf ? '代为报到' : ''].filter(Boolean);
    const text = `${formatHourMinute(d.checkedInAt)} 已报到${marks.length ? `（${marks.join(' · ')}）` : ''}`;
    return { state: 'checked', text, late: false };
  }
  const clock = reportClock({ deadline: d.reportBy }, now);
  if (clock?.late) return { state: 'late', text: `${clock.text.replace('超时', '超时未报到')}`, late: true };
  return {
    state: 'pending',
    text: d.reportBy ? `待报到（${formatHourMinute(d.reportBy)} 前）` : '待报到',
    late: false,
  };
}

/** 事事有回音: an alert is ready for 办结 once every department dispatched to has fed back. */
export function allFedBack(departments: readonly DepartmentView[] | undefined): boolean {
  return !!departments?.length && departments.every((d) => !!d.feedback);
}
