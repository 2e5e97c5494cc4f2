import type { Alerts } from '../alerts/service.ts';
import type { ActInput } from '../alerts/store.ts';
import type { DepartmentRegistry } from '../departments/registry.ts';
import type { Logger } from '../log.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { WarningLevel } from '../../shared/vocab.ts';
import { loadRulesConfig, reportLimitMs, resolveLimitMs, type WarningsConfig } from '../warnings/config.ts';
import { planDesk, type PlannedStep } from './desk-plan.ts';

/** Who the simulated duty desks act as, in alerts' histories and the audit trail. */
export const HISTORY_ACTOR = '模拟值班员';
/** Who the simulated departments' liaison officers act as (报到, 反馈). */
export const HISTORY_DEPARTMENT_ACTOR = '模拟部门联络员';
const HISTORY_NOTE = '回填的历史数据：按当时的处置进度记录';
const FEEDBACK_TEXT = '已到场核查处置，当事双方情绪稳定，后续持续跟踪回访';

export interface HistorySettling {
  alerts: Pick<Alerts, 'list' | 'act' | 'store'>;
  /** Whether the aggregator has applied everything sent so far (the backfill). */
  drained(): Promise<boolean>;
  /** The departments a desk may call (dispatches of replayed history go to them). */
  departments?: Pick<DepartmentRegistry, 'callable'>;
  /** The deployment's rules file (sign, report-in and 办结 limits); the default one when absent. */
  rules?: Pick<WarningsConfig, 'signMinutes' | 'reportMinutes' | 'resolveMinutes'>;
}

const HOUR = 3600_000;
/** How long a desk takes to close an alert, by level: a red one within hours, a blue one in days. */
export const HANDLING_MS: Record<WarningLevel, number> = {
  red: 6 * HOUR,
  orange: 12 * HOUR,
  yellow: 48 * HOUR,
  blue: 72 * HOUR,
};
/** Older than this, an alert still open has been signed (签收) by its desk. */
const SIGNED_AFTER_MS = HOUR / 2;
const WAIT_LIMIT_MS = 120_000;

/** Refusals that mean the step was taken already (an earlier settling got this far). */
const DONE_ALREADY = new Set(['state', 'checked_in', 'fed_back', 'already_dispatched']);

/**
 * The steps of a plan due by `now`; a dispatch whose departments have not all reported in and fed
 * back by then waits, whole, for a later settling, so no simulated department is left unreported.
 */
export function dueSteps(steps: readonly PlannedStep[], now: number): PlannedStep[] {
  let cut = steps.findIndex((s) => s.at > now);
  if (cut < 0) return [...steps];
  const dispatch = steps.findIndex((s) => s.action === 'dispatch');
  const lastOfGroup = steps.findLastIndex((s) => s.action === 'checkin' || s.action === 'feedback');
  if (dispatch >= 0 && dispatch < cut && lastOfGroup >= cut) cut = dispatch;
  return steps.slice(0, cut);
}

function actInput(step: PlannedStep, reportMs: number): ActInput {
  const base = { at: step.at, note: HISTORY_NOTE };
  switch (step.action) {
    case 'dispatch':
      return {
        ...base,
        action: 'dispatch',
        actor: HISTORY_ACTOR,
        departments: step.departments.map((d) => d.name),
        targets: step.departments.map((d) => ({ key: d.id, id: d.id, name: d.name, reportBy: step.at + reportMs })),
      };
    case 'checkin':
      return { ...base, action: 'checkin', actor: HISTORY_DEPARTMENT_ACTOR, step: { key: step.department.id } };
    case 'feedback':
      return {
        ...base,
        action: 'feedback',
        actor: HISTORY_DEPARTMENT_ACTOR,
        step: { key: step.department.id, text: FEEDBACK_TEXT, result: 'handled' },
      };
    default:
      return { ...base, action: step.action, actor: HISTORY_ACTOR };
  }
}

/**
 * An alert raised from replayed history (created at its event's time, outside the sign timer)
 * taken through the steps its desk had taken by `now` (desk-plan.ts), each at its own time, through
 * the alert service like an officer's. Returns how many steps were taken now.
 */
async function settleReplayed(
  o: HistorySettling,
  alert: AlertView,
  now: number,
  rules: NonNullable<HistorySettling['rules']>,
): Promise<number> {
  const departments = o.departments ? await o.departments.callable(alert.desk) : [];
  const limits = {
    sign: alert.signBy
      ? Date.parse(alert.signBy) - Date.parse(alert.createdAt)
      : rules.signMinutes[alert.level] * 60_000,
    report: reportLimitMs(rules, alert.level),
    resolve: resolveLimitMs(rules, alert.level),
  };
  const plan = planDesk(
    { ...alert, createdAt: Date.parse(alert.createdAt), ...(alert.caseId ? { caseId: alert.caseId } : {}) },
    limits,
    departments,
  );
  let taken = 0;
  for (const step of dueSteps(plan, now)) {
    const r = await o.alerts.act(alert.id, actInput(step, limits.report));
    if (r.ok) taken++;
    else if (!DONE_ALREADY.has(r.reason)) break;
  }
  return taken;
}

/**
 * The duty desks of the backfilled days, once the backfill is counted and its rules have run.
 * An alert raised from replayed history (created at its event's time, never in the sign timer) is
 * taken through the steps its desk and departments had taken by now, each at its own time
 * (desk-plan.ts), so the 督办考核 and the 通报 of its month read real 签收 and 办结. Any other open
 * alert about those days (one a sweep or timer raised now, e.g. 超期 of a backfilled case) is put
 * where its desk would have it by now, judged by the age of its newest event: past its level's
 * handling time, closed (签收 → 办结 → 核验); past half an hour, signed and in hand; newer, left new
 * for the duty officer. Each step is recorded as the simulator's, in the alert and the audit trail.
 */
export async function settleHistory(
  o: HistorySettling & {
    root: string;
    now: () => number;
    logger: Logger;
    stopped: () => boolean;
    pollMs?: number;
    /**
     * Act on the alerts raised so far without waiting for the rules to catch up: a pass made while
     * the history is still being sent, whose stragglers the next pass takes.
     */
    noWait?: boolean;
  },
): Promise<{ closed: number; signed: number; new: number; replayed: number; steps: number }> {
  const pause = () => new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  // Counted, then two quiet polls with the same open alerts: the rules trail the counters. A fast
  // simulator may never let the stream rest: after two minutes the desks act on what there is.
  let last = -1;
  let quiet = 0;
  const giveUpAt = Date.now() + WAIT_LIMIT_MS;
  while (!o.noWait && !o.stopped() && quiet < 2 && Date.now() < giveUpAt) {
    await pause();
    if (!(await o.drained())) {
      quiet = 0;
      continue;
    }
    const open = (await o.alerts.list(o.root, 'open', 100_000)).length;
    quiet = open === last ? quiet + 1 : 0;
    last = open;
  }
  const done = { closed: 0, signed: 0, new: 0, replayed: 0, steps: 0 };
  if (o.stopped()) return done;
  const now = o.now();
  const rules = o.rules ?? loadRulesConfig();
  // Resolved ones too: a settling stopped between 办结 and 核验 is finished by the next.
  const open = [
    ...(await o.alerts.list(o.root, 'open', 100_000)),
    ...(await o.alerts.list(o.root, 'resolved', 100_000)),
  ];
  for (const alert of open) {
    if (o.stopped()) break;
    if (await o.alerts.store.replayed(alert.id)) {
      done.replayed++;
      done.steps += await settleReplayed(o, alert, now, rules);
      continue;
    }
    if (alert.state === 'resolved') continue;
    // An alert without events (a silence) is about now, not about the history.
    const events = (await o.alerts.store.detail(alert.id))?.events ?? [];
    const age = events.length ? now - Math.max(...events.map((e) => Date.parse(e.at))) : 0;
    const steps =
      age >= HANDLING_MS[alert.level]
        ? (['ack', 'resolve', 'close'] as const)
        : age >= SIGNED_AFTER_MS
          ? (['ack'] as const)
          : [];
    for (const action of steps) {
      const r = await o.alerts.act(alert.id, { action, actor: HISTORY_ACTOR, note: HISTORY_NOTE });
      if (!r.ok) break;
    }
    done[steps.length === 3 ? 'closed' : steps.length === 1 ? 'signed' : 'new']++;
  }
  o.logger.info(done, 'alerts of the backfilled days put where their desks would have them');
  return done;
}
