/**
 * How one alert counts in the 督办考核, judged at `now` (pure; definitions in docs/assessment.md):
 * `onTime` adds to a figure's numerator and denominator, `late` to its denominator only, `pending`
 * (the time has not run out yet) and `none` (the figure does not apply) to neither.
 */
import type { AlertRecord } from './alert-records.ts';

export type Verdict = 'onTime' | 'late' | 'pending' | 'none';

export interface DepartmentVerdict {
  id: string;
  checkin: Verdict;
  feedback: Verdict;
}

export interface AlertVerdicts {
  sign: Verdict;
  resolve: Verdict;
  supervision: Verdict;
  /** Registry departments only: an ad-hoc one has nobody to assess. */
  departments: DepartmentVerdict[];
  /** When it was first resolved (办结), if it was. */
  resolvedAt?: number;
}

const DONE = new Set(['resolved', 'closed']);

/**
 * 签收: the first signature (签收) counts as on time when no timer escalation (超时自动升级)
 * came before it and it met the deadline it was given (recorded with it). An unsigned alert is late
 * once escalated by the timer or past its deadline, pending before.
 */
function sign(a: AlertRecord, now: number): Verdict {
  let escalatedByTimer = false;
  for (const s of a.history) {
    if (s.action === 'escalate' && s.by === 'system') escalatedByTimer = true;
    if (s.action === 'ack') {
      if (escalatedByTimer) return 'late';
      return s.deadline === undefined || s.at <= s.deadline ? 'onTime' : 'late';
    }
  }
  if (escalatedByTimer) return 'late';
  return a.due !== undefined && a.due < now ? 'late' : 'pending';
}

/** By a deadline: met when resolved at or before it; late once it passed unresolved; pending before. */
function byDeadline(resolvedAt: number | undefined, deadline: number, now: number): Verdict {
  if (resolvedAt !== undefined) return resolvedAt <= deadline ? 'onTime' : 'late';
  return now > deadline ? 'late' : 'pending';
}

export function judgeAlert(a: AlertRecord, now: number, resolveLimitMs: number): AlertVerdicts {
  const resolvedAt = a.history.find((s) => s.action === 'resolve')?.at;
  const finished = DONE.has(a.state);
  const sup = a.supervision?.deadline;
  return {
    sign: sign(a, now),
    resolve: byDeadline(resolvedAt, a.createdAt + resolveLimitMs, now),
    supervision: sup === undefined ? 'none' : byDeadline(resolvedAt, sup, now),
    departments: a.departments.flatMap((d) =>
      d.id
        ? [
            {
              id: d.id,
              checkin:
                d.reportBy === undefined
                  ? 'none'
                  : d.checkedInAt !== undefined
                    ? d.checkedInAt <= d.reportBy
                      ? 'onTime'
                      : 'late'
                    : now > d.reportBy
                      ? 'late'
                      : 'pending',
              // 事事有回音: every dispatch is owed a feedback; once the alert is resolved it is late for good.
              feedback: d.feedback ? 'onTime' : finished ? 'late' : 'pending',
            } satisfies DepartmentVerdict,
          ]
        : [],
    ),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
  };
}

/** A numerator and denominator being counted. */
export interface Tally {
  num: number;
  den: number;
}

export const emptyTally = (): Tally => ({ num: 0, den: 0 });

export function count(t: Tally, v: Verdict): void {
  if (v === 'onTime') {
    t.num++;
    t.den++;
  } else if (v === 'late') t.den++;
}
