/**
 * Dates and times as the wall shows them: always Beijing time (Asia/Shanghai), whatever zone the
 * screen's PC is set to. Formatting goes through Intl with an explicit time zone, never through
 * the Date getters (which use the host's zone).
 */

export const TIME_ZONE = 'Asia/Shanghai';

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  weekday: 'short',
});

const WEEKDAYS: Record<string, string> = {
  Sun: '日',
  Mon: '一',
  Tue: '二',
  Wed: '三',
  Thu: '四',
  Fri: '五',
  Sat: '六',
};

export interface BeijingParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 日, 一 … 六 */
  weekday: string;
}

/** Calendar fields of an instant in Beijing time. */
export function beijingParts(at: number | string | Date): BeijingParts {
  const d = at instanceof Date ? at : new Date(at);
  const p: Record<string, string> = {};
  for (const { type, value } of partsFormat.formatToParts(d)) p[type] = value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS[p.weekday ?? ''] ?? '',
  };
}

const two = (n: number) => String(n).padStart(2, '0');

/** `2026年11月22日 星期日` */
export function formatDate(at: number | string | Date): string {
  const p = beijingParts(at);
  return `${p.year}年${p.month}月${p.day}日 星期${p.weekday}`;
}

/** `10:15:03` */
export function formatClock(at: number | string | Date): string {
  const p = beijingParts(at);
  return `${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** `10:15` */
export function formatHourMinute(at: number | string | Date): string {
  const p = beijingParts(at);
  return `${two(p.hour)}:${two(p.minute)}`;
}

/** The Beijing calendar day of an instant as `YYYY-MM-DD`, for grouping hours into days. */
export function beijingDay(at: number | string | Date): string {
  const p = beijingParts(at);
  return `${p.year}-${two(p.month)}-${two(p.day)}`;
}

/** Short relative age for lists: 刚刚, 5分钟前, 3小时前, 2天前. */
export function formatAge(at: string | number, now: number): string {
  const then = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(then)) return '';
  const s = Math.max(0, Math.floor((now - then) / 1000));
  if (s < 60) return '刚刚';
  if (s < 3600) return `${Math.floor(s / 60)}分钟前`;
  if (s < 86_400) return `${Math.floor(s / 3600)}小时前`;
  return `${Math.floor(s / 86_400)}天前`;
}
