/**
 * 部门报到 deadlines as every screen shows them (the department's page, the desk, the wall):
 * minutes left while the deadline is ahead, `超时 N 分钟` after it. How late is the point: "late"
 * alone hides whether it is one minute or an hour.
 */
export interface ReportClock {
  text: string;
  /** Past the deadline: shown in red. */
  late: boolean;
  /** Whole minutes left (rounded up) or late (at least 1). */
  minutes: number;
}

/** `超时 17 分钟`, `超时 2 小时 35 分钟`. */
export function overdueText(minutes: number): string {
  return minutes < 60 ? `超时 ${minutes} 分钟` : `超时 ${Math.floor(minutes / 60)} 小时 ${minutes % 60} 分钟`;
}

/** The clock of one department's report-in; null once it has reported or when no deadline is known. */
export function reportClock(d: { deadline?: string; checkedInAt?: string }, now: number): ReportClock | null {
  if (d.checkedInAt || !d.deadline) return null;
  const left = Date.parse(d.deadline) - now;
  if (!Number.isFinite(left)) return null;
  if (left > 0) {
    const minutes = Math.ceil(left / 60_000);
    const text = minutes < 60 ? `${minutes}分钟内报到` : `${Math.floor(minutes / 60)}小时${minutes % 60}分钟内报到`;
    return { text, late: false, minutes };
  }
  const minutes = Math.max(1, Math.floor(-left / 60_000));
  return { text: overdueText(minutes), late: true, minutes };
}
