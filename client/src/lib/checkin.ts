import type { AlertView } from '../../../shared/schemas/alert.ts';
import { reportClock } from './report-clock.ts';
import { formatAge } from './time.ts';

/**
 * 中心吹哨、部门报到 as the wall shows it: which departments an alert was dispatched to have not
 * reported yet, and since when the longest of them has been waiting.
 */
export interface CheckIn {
  /** Departments still to report, in the order they were named. */
  pending: string[];
  /** Departments dispatched to in all. */
  total: number;
  /** Earliest dispatch among the pending ones (ISO 8601), for "已等N分钟". */
  waitingSince: string | null;
}

/** The check-in state of a dispatched alert; null when no department was named. */
export function checkIn(alert: Pick<AlertView, 'departments'>): CheckIn | null {
  const depts = alert.departments ?? [];
  if (depts.length === 0) return null;
  const pending = depts.filter((d) => !d.checkedInAt);
  const since = pending.map((d) => d.dispatchedAt).sort()[0] ?? null;
  return { pending: pending.map((d) => d.name), total: depts.length, waitingSince: since };
}

/**
 * One short line for the alert list: `待报到：公安局、司法局 · 12分钟` or `3个部门已全部报到`;
 * null when the alert was not dispatched to anyone.
 */
export function checkInLine(alert: Pick<AlertView, 'departments'>, now: number): string | null {
  const late = lateDepartments(alert, now);
  if (late.length) return `待报到 · ${late[0]!.text}：${late.map((l) => l.name).join('、')}`;
  const c = checkIn(alert);
  if (!c) return null;
  if (c.pending.length === 0) return c.total === 1 ? '部门已报到' : `${c.total}个部门已全部报到`;
  const waited = c.waitingSince ? formatAge(c.waitingSince, now).replace(/前$/, '') : '';
  return `待报到：${c.pending.join('、')}${waited && waited !== '刚刚' ? ` · 已等${waited}` : ''}`;
}

/** Departments past their report-in deadline without reporting, the latest first. */
function lateDepartments(alert: Pick<AlertView, 'departments'>, now: number): { name: string; text: string }[] {
  return (alert.departments ?? [])
    .map((d) => ({ name: d.name, clock: reportClock({ deadline: d.reportBy, checkedInAt: d.checkedInAt }, now) }))
    .filter((d) => d.clock?.late)
    .sort((a, b) => b.clock!.minutes - a.clock!.minutes)
    .map((d) => ({ name: d.name, text: d.clock!.text }));
}

/** Whether a department of the alert is late to report (待报到 · 超时): shown in red. */
export function checkInLate(alert: Pick<AlertView, 'departments'>, now: number): boolean {
  return lateDepartments(alert, now).length > 0;
}
