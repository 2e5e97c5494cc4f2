/**
 * Lifecycle planning: the statuses a case goes through and when, decided in full when the case is
 * born. Planning ahead (rather than rolling dice every tick) makes a backfill "complete as of now"
 * trivially — emit the steps already due — and makes the feed reproducible from a seed.
 */
import type {
  DisputeCategory,
  DisputeStatus,
  IncidentCategory,
  IncidentStatus,
  RiskMarker,
} from '../../shared/vocab.ts';
import { DEFAULT_SLA, type Sla } from '../aggregate/sla.ts';
import { OFFSET_MS } from '../time/beijing.ts';
import { chance, logNormal, uniform, type Rand } from './prng.ts';
import {
  ESCALATION_SHARE,
  LATE_DISPATCH_SHARE,
  LATE_REPORTS,
  LATE_RESOLUTION_SHARE,
  MEDIATION_SUCCESS,
  OUT_OF_ORDER_SHARE,
  SAME_DAY_SHARE,
  VERIFY_SHARE,
  VIOLENT_RISK_CATEGORIES,
} from './rates.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface Step<S extends string = string> {
  status: S;
  at: number;
  /** Set when this step changes the case's severity (escalation). */
  severity?: number;
  /** Markers added at this step. */
  riskMarkers?: RiskMarker[];
}

export interface DisputePlan {
  steps: Step<DisputeStatus>[];
  lateDispatch: boolean;
  lateResolution: boolean;
  outcome: 'resolved' | 'failed';
  /** Settled the day it was taken in (rates.ts SAME_DAY_SHARE). */
  sameDay: boolean;
}

/** Mediation rooms and 司法所 work 08:00–21:00 Beijing time; a step due at night waits for the morning. */
export function inOfficeHours(rand: Rand, ms: number): number {
  const local = (((ms + OFFSET_MS) % DAY) + DAY) % DAY;
  const hour = local / HOUR;
  if (hour >= 8 && hour < 21) return ms;
  const untilEight = hour >= 21 ? 24 * HOUR - local + 8 * HOUR : 8 * HOUR - local;
  return ms + untilEight + Math.min(logNormal(rand, 30 * MIN, 0.6), 2 * HOUR);
}

function slaFor(category: DisputeCategory): Sla {
  return DEFAULT_SLA[category] ?? DEFAULT_SLA['*'];
}

/**
 * received → dispatched (minutes to hours) → mediating (hours) → resolved (~75%) or failed (days)
 * → verified (days later, for most). About a quarter, simple quarrels, go the same way within
 * hours and are called back within a day or two (SAME_DAY_SHARE). A few are dispatched only after the SLA has run out, a few
 * drag past the resolution SLA, so the overdue counters have something to show.
 */
export function planDispute(rand: Rand, category: DisputeCategory, t0: number, severity: number): DisputePlan {
  const sla = slaFor(category);
  const steps: Step<DisputeStatus>[] = [{ status: 'received', at: t0 }];

  const lateDispatch = chance(rand, LATE_DISPATCH_SHARE);
  const lateResolution = chance(rand, LATE_RESOLUTION_SHARE);
  const sameDay = !lateDispatch && !lateResolution && severity === 1 && chance(rand, SAME_DAY_SHARE[category]);
  let dispatched: number;
  if (lateDispatch) {
    dispatched = t0 + sla.dispatchMs + uniform(rand, 1 * HOUR, 36 * HOUR);
  } else {
    const typical = sameDay ? logNormal(rand, 15 * MIN, 0.6) : logNormal(rand, 40 * MIN, 1.0);
    const soon = t0 + Math.max(2 * MIN, Math.min(typical, 0.6 * sla.dispatchMs));
    // Keep on-time dispatches on time even when the night pushes them to the morning.
    dispatched = Math.min(inOfficeHours(rand, soon), t0 + 0.9 * sla.dispatchMs);
  }
  steps.push({ status: 'dispatched', at: dispatched });

  const mediating = inOfficeHours(
    rand,
    dispatched +
      (sameDay
        ? Math.max(5 * MIN, Math.min(logNormal(rand, 30 * MIN, 0.7), 4 * HOUR))
        : Math.max(5 * MIN, Math.min(logNormal(rand, 2 * HOUR, 1.0), 3 * DAY))),
  );
  const escalates = VIOLENT_RISK_CATEGORIES.has(category) && chance(rand, ESCALATION_SHARE);
  steps.push({
    status: 'mediating',
    at: mediating,
    ...(escalates ? { severity: Math.min(4, severity + 1), riskMarkers: ['escalating' as const] } : {}),
  });

  let ended: number;
  if (lateResolution) {
    ended = Math.max(mediating + HOUR, t0 + sla.resolveMs + uniform(rand, 1 * DAY, 6 * DAY));
  } else if (sameDay) {
    // A sitting of an hour or two with both sides, then the agreement (or its refusal).
    ended = mediating + Math.max(10 * MIN, Math.min(logNormal(rand, 90 * MIN, 0.7), 8 * HOUR));
  } else {
    const latest = t0 + 0.9 * sla.resolveMs;
    ended = Math.min(
      mediating + Math.max(10 * MIN, logNormal(rand, 1.5 * DAY, 0.9)),
      Math.max(latest, mediating + 10 * MIN),
    );
  }
  const outcome = chance(rand, MEDIATION_SUCCESS) ? 'resolved' : 'failed';
  steps.push({ status: outcome, at: ended });

  if (chance(rand, VERIFY_SHARE[outcome])) {
    // A dispute settled on the spot is checked by a call back (回访) within hours to a day or two,
    // in office hours; one that took days is visited days later.
    const at = sameDay
      ? inOfficeHours(rand, ended + Math.max(1 * HOUR, Math.min(logNormal(rand, 6 * HOUR, 0.8), 3 * DAY)))
      : ended + Math.max(2 * HOUR, Math.min(logNormal(rand, 3 * DAY, 0.6), 10 * DAY));
    steps.push({ status: 'verified', at });
  }
  return { steps, lateDispatch, lateResolution, outcome, sameDay };
}

/** Medians (and spread) of reported → handling and handling → closed, per incident category. */
const INCIDENT_TIMES: Record<IncidentCategory, { handle: [number, number]; close: [number, number] }> = {
  // Police reach most scenes in minutes; public-order and traffic cases close the same day.
  public_order: { handle: [10 * MIN, 0.6], close: [2 * HOUR, 1.0] },
  traffic: { handle: [12 * MIN, 0.5], close: [90 * MIN, 0.8] },
  fire: { handle: [9 * MIN, 0.4], close: [2 * HOUR, 0.7] },
  // Investigations take days.
  criminal: { handle: [15 * MIN, 0.7], close: [1.5 * DAY, 1.1] },
  fraud: { handle: [30 * MIN, 0.8], close: [3 * DAY, 0.9] },
  homicide: { handle: [8 * MIN, 0.3], close: [4 * DAY, 0.7] },
  // A petition is registered, assigned and answered within the legal limits (days).
  petition: { handle: [2 * HOUR, 0.9], close: [4 * DAY, 0.7] },
};

/** reported → handling → closed, all within three weeks so no step outgrows the 40-day window. */
export function planIncident(rand: Rand, category: IncidentCategory, t0: number): Step<IncidentStatus>[] {
  const { handle, close } = INCIDENT_TIMES[category];
  const handling = t0 + Math.max(MIN, Math.min(logNormal(rand, handle[0], handle[1]), 2 * DAY));
  const closed = handling + Math.max(5 * MIN, Math.min(logNormal(rand, close[0], close[1]), 21 * DAY));
  return [
    { status: 'reported', at: t0 },
    { status: 'handling', at: handling },
    { status: 'closed', at: closed },
  ];
}

/** Only steps this close to the next one are ever held back: a delay of days would be an outage, not jitter. */
const MAX_HOLD_GAP = 2 * HOUR;

/**
 * When each step is delivered. Usually the moment it happens; sometimes a sending system holds a
 * message until just after the next one went out, so the aggregator sees them out of order.
 */
export function deliveryTimes(rand: Rand, times: readonly number[]): number[] {
  const out = [...times];
  for (let i = 0; i < times.length - 1; i++) {
    const next = times[i + 1]!;
    if (next - times[i]! <= MAX_HOLD_GAP && chance(rand, OUT_OF_ORDER_SHARE)) {
      out[i] = next + uniform(rand, 10_000, 3 * MIN);
    }
  }
  return out;
}

/**
 * A case entered late (补录) for a few of its kind: whatever of it happened before `t0 + delay`
 * arrives at that moment, in step order; later steps as planned. Otherwise the times unchanged.
 */
export function reportedLate(rand: Rand, kind: 'incident' | 'dispute', t0: number, sendAt: number[]): number[] {
  const late = LATE_REPORTS[kind];
  if (!chance(rand, late.share)) return sendAt;
  const at = t0 + uniform(rand, late.delayMinutes[0], late.delayMinutes[1]) * MIN;
  return sendAt.map((t) => Math.max(t, at));
}
