import type { AlertView } from '../../../shared/schemas/alert.ts';
import { overdueText } from '../lib/report-clock.ts';
import { formatHourMinute } from '../lib/time.ts';

const day = (iso: string) => `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${formatHourMinute(iso)}`;

/** `督办 · 期限 11月22日 12:05 · 要求`, or `督办 · 超时 30 分钟 · 要求` in red once overdue. */
export function supervisionLine(s: AlertView['supervision'], now: number): { text: string; late: boolean } | null {
  if (!s) return null;
  const deadline = s.deadline ? Date.parse(s.deadline) : NaN;
  const late = s.overdue || (Number.isFinite(deadline) && deadline <= now);
  const when = !s.deadline
    ? ''
    : late
      ? overdueText(Math.max(1, Math.floor((now - deadline) / 60_000)))
      : `期限 ${day(s.deadline)}`;
  return { text: ['督办', when, s.requirement ?? ''].filter(Boolean).join(' · '), late };
}

/**
 * A `datetime-local` value (`2026-11-23T09:30`) as the Beijing time the officer meant, with its
 * offset: the field itself knows no zone, and the PC may be set to any.
 */
export function beijingInputToIso(value: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00+08:00` : undefined;
}
