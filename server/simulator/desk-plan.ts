/**
 * What the simulated duty desk and departments did with one alert of replayed history, and when:
 * a pure function of the alert (its rule, region, case and creation time seed the draws), so every
 * run and every restart plans the very same steps. Most alerts are signed in time, some late; red
 * and orange ones (and some others) are dispatched to one or two of the desk's departments, which
 * report in (a few late) and feed back; most are resolved within their level's limit (办结), some
 * late; each is verified (核验) hours later; a few are signed and then left in hand, never resolved.
 */
import type { Department } from '../../shared/schemas/department.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import { chance, mulberry32, pickOne, stableHash, uniform, type Rand } from './prng.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Shares of the plan (the 督办考核 of a backfilled month reads them back). */
export const DESK_PLAN = {
  signLate: 0.12,
  dispatch: { red: 1, orange: 1, yellow: 0.5, blue: 0.2 } as Record<WarningLevel, number>,
  checkinLate: 0.1,
  resolveLate: 0.15,
  leftInHand: 0.04,
};

export interface PlanLimits {
  sign: number;
  report: number;
  resolve: number;
}

export type PlannedStep =
  | { action: 'ack' | 'resolve' | 'close'; at: number }
  | { action: 'dispatch'; at: number; departments: Department[]; reportBy: number }
  | { action: 'checkin' | 'feedback'; at: number; department: Department };

export interface PlannedAlert {
  id: string;
  rule: string;
  region: string;
  caseId?: string;
  level: WarningLevel;
  createdAt: number;
}

/** The steps in time order. `departments`: those the alert's desk may call, its own first. */
export function planDesk(a: PlannedAlert, limits: PlanLimits, departments: readonly Department[]): PlannedStep[] {
  const rand: Rand = mulberry32(stableHash(`${a.rule}|${a.region}|${a.caseId ?? ''}|${a.createdAt}`));
  const steps: PlannedStep[] = [];
  const signed =
    a.createdAt + (chance(rand, DESK_PLAN.signLate) ? uniform(rand, 1.2, 4) : uniform(rand, 0.15, 0.95)) * limits.sign;
  steps.push({ action: 'ack', at: Math.round(signed) });
  if (chance(rand, DESK_PLAN.leftInHand)) return steps;
  let last = signed;
  const own = departments.filter((d) => d.region === departments[0]?.region);
  const pool = own.length ? own : departments;
  if (pool.length && chance(rand, DESK_PLAN.dispatch[a.level])) {
    const first = pickOne(rand, pool);
    const second = chance(rand, 0.3) ? pickOne(rand, pool) : first;
    const chosen = second.id === first.id ? [first] : [first, second];
    const dispatched = Math.round(signed + uniform(rand, 3, 20) * MIN);
    const reportBy = dispatched + limits.report;
    steps.push({ action: 'dispatch', at: dispatched, departments: chosen, reportBy });
    for (const d of chosen) {
      const checkin =
        dispatched +
        (chance(rand, DESK_PLAN.checkinLate) ? uniform(rand, 1.1, 2.5) : uniform(rand, 0.1, 0.9)) * limits.report;
      const feedback = checkin + uniform(rand, 0.5, 6) * HOUR;
      steps.push({ action: 'checkin', at: Math.round(checkin), department: d });
      steps.push({ action: 'feedback', at: Math.round(feedback), department: d });
      last = Math.max(last, feedback);
    }
  }
  const aimed =
    a.createdAt +
    (chance(rand, DESK_PLAN.resolveLate) ? uniform(rand, 1.1, 2) : uniform(rand, 0.2, 0.9)) * limits.resolve;
  const resolved = Math.round(Math.max(aimed, last + uniform(rand, 10, 60) * MIN));
  steps.push({ action: 'resolve', at: resolved });
  steps.push({ action: 'close', at: Math.round(resolved + uniform(rand, 1, 8) * HOUR) });
  return steps.sort((x, y) => x.at - y.at);
}
