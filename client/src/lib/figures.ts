import type { HourPoint, Snapshot } from '../../../shared/schemas/snapshot.ts';
import type { Kind } from '../../../shared/vocab.ts';
import { beijingDay, beijingParts } from './time.ts';

/**
 * Yesterday's count up to the same time of day, from the hourly series (the current hour is
 * counted pro rata). Comparing today-so-far with all of yesterday would show a fall every morning.
 * Null when the series does not reach back to yesterday.
 */
export function yesterdaySameTime(hourly: readonly HourPoint[], asOf: string, kind: Kind): number | null {
  const now = Date.parse(asOf);
  if (!Number.isFinite(now)) return null;
  const yesterday = beijingDay(now - 86_400_000);
  const { hour, minute } = beijingParts(now);
  let sum = 0;
  let seen = false;
  for (const p of hourly) {
    const t = Date.parse(p.hour);
    if (!Number.isFinite(t) || beijingDay(t) !== yesterday) continue;
    seen = true;
    const h = beijingParts(t).hour;
    if (h < hour) sum += p[kind] ?? 0;
    else if (h === hour) sum += ((p[kind] ?? 0) * minute) / 60;
  }
  return seen ? Math.round(sum) : null;
}

export interface KeyFigure {
  key: 'incident' | 'dispute' | 'resolved' | 'open' | 'overdue' | 'rate';
  label: string;
  value: number | null;
  unit: string;
  /** Difference against yesterday at the same time, when that comparison exists. */
  delta: number | null;
  /** A rate 0–1, shown as a percentage. */
  percent?: boolean;
  /** What the rate is made of: shown instead of it over a handful of cases (lib/rate.ts). */
  counts?: { num: number; den: number };
  /** A short line under the figure where there is no delta (e.g. how much of the backlog is 久拖). */
  note?: string;
}

/** The 今日态势 figures, in display order. */
export function keyFigures(s: Snapshot): KeyFigure[] {
  const today = s.counts.today;
  const prior = (kind: Kind) => {
    const y = yesterdaySameTime(s.hourly ?? [], s.asOf, kind);
    return y === null ? null : (today[kind] ?? 0) - y;
  };
  const resolved = (today.byStatus?.resolved ?? 0) + (today.byStatus?.verified ?? 0);
  return [
    { key: 'incident', label: '今日案事件', value: today.incident ?? 0, unit: '件', delta: prior('incident') },
    { key: 'dispute', label: '纠纷受理', value: today.dispute ?? 0, unit: '件', delta: prior('dispute') },
    { key: 'resolved', label: '纠纷化解', value: resolved, unit: '件', delta: null },
    {
      key: 'open',
      label: '在办纠纷',
      value: s.counts.open?.dispute ?? 0,
      unit: '件',
      delta: null,
      // Still open and counted above; this says how many have been open longer than the bound.
      ...(s.stale ? { note: `久拖 ${s.stale.dispute}（>${s.stale.days}天）` } : {}),
    },
    { key: 'overdue', label: '超期未办', value: s.counts.overdue?.dispute ?? 0, unit: '件', delta: null },
    {
      key: 'rate',
      label: '本月化解率',
      value: s.rates?.disputeResolution ?? null,
      unit: '%',
      delta: null,
      percent: true,
      counts: s.rateCounts.disputeResolution,
    },
  ];
}
