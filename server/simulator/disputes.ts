/**
 * New dispute cases (矛盾纠纷) with their lifecycle, risk markers and parties — and, now and then, a
 * series of follow-up disputes between the same parties (repeat disputes the rules must catch).
 */
import type { DisputeCategory, RiskMarker } from '../../shared/vocab.ts';
import { deliveryTimes, planDispute, reportedLate } from './lifecycle.ts';
import { newIncident } from './incidents.ts';
import type { CasePlan } from './plan.ts';
import { chance, hex, intBetween, pickOne, pickWeighted, uniform, type Rand } from './prng.ts';
import {
  DISPUTE_CATEGORY_SHARES,
  DISPUTE_CHANNELS,
  DISPUTE_LOCATION_SHARE,
  DISPUTE_SEVERITIES,
  MASS_GATHERING_SHARE,
  OTHER_DISPUTE_MARKERS,
  PETITION_AFTER_FAILURE,
  REPEAT_SERIES,
  VIOLENT_MARKERS,
  VIOLENT_RISK_CATEGORIES,
} from './rates.ts';
import { pickDispatchTo, pickIssue } from './text.ts';
import type { Place } from './weights.ts';
import { locate, pickCounty, pickPlace, type World } from './world.ts';

const DAY = 86_400_000;

export interface DisputeOverrides {
  category?: DisputeCategory;
  place?: Place;
  parties?: string[];
}

function newPartyId(rand: Rand): string {
  return `p_${hex(rand, 12)}`;
}

/** Mostly two sides; a few one-sided (a complaint) or collective (wage arrears, land). */
function newParties(rand: Rand): string[] {
  const n = pickWeighted(rand, { 1: 0.05, 2: 0.85, 3: 0.06, 4: 0.03, 5: 0.01 });
  return Array.from({ length: n }, () => newPartyId(rand));
}

function disputeMarkers(rand: Rand, category: DisputeCategory): RiskMarker[] {
  const out: RiskMarker[] = [];
  const table = { ...(VIOLENT_RISK_CATEGORIES.has(category) ? VIOLENT_MARKERS : {}), ...OTHER_DISPUTE_MARKERS };
  for (const [marker, p] of Object.entries(table) as [RiskMarker, number][]) if (chance(rand, p)) out.push(marker);
  if (chance(rand, MASS_GATHERING_SHARE[category] ?? 0)) out.push('mass_gathering');
  return out;
}

/** Threats raise the severity: a weapon or a threat to kill is at least 重大. */
function severityWith(base: number, markers: readonly RiskMarker[]): number {
  if (markers.includes('weapon') || markers.includes('kill_threat')) return Math.max(base, 3);
  if (markers.length > 0) return Math.max(base, 2);
  return base;
}

/** One dispute case; `o` pins what a follow-up shares with the case it follows. */
export function newDisputeCase(world: World, rand: Rand, t0: number, o: DisputeOverrides = {}): CasePlan {
  const category = o.category ?? pickWeighted(rand, DISPUTE_CATEGORY_SHARES);
  const place = o.place ?? pickPlace(world, pickCounty(world, rand), rand);
  const location = chance(rand, DISPUTE_LOCATION_SHARE) ? locate(world, place.county, rand) : undefined;
  const channel = pickWeighted(rand, DISPUTE_CHANNELS);
  const riskMarkers = disputeMarkers(rand, category);
  const severity = severityWith(pickWeighted(rand, DISPUTE_SEVERITIES), riskMarkers);
  const parties = o.parties ?? newParties(rand);
  const plan = planDispute(rand, category, t0, severity);
  return {
    attrs: {
      kind: 'dispute',
      category,
      channel,
      severity,
      place,
      ...(location ? { location } : {}),
      parties,
      ...(riskMarkers.length ? { riskMarkers } : {}),
      issue: pickIssue(rand, 'dispute', category),
      dispatchTo: pickDispatchTo(rand),
    },
    steps: plan.steps,
    sendAt: reportedLate(
      rand,
      'dispute',
      t0,
      deliveryTimes(
        rand,
        plan.steps.map((s) => s.at),
      ),
    ),
    outcome: plan.outcome,
    tags: {
      lateDispatch: plan.lateDispatch,
      lateResolution: plan.lateResolution,
      ...(o.parties ? { followUp: true } : {}),
    },
  };
}

/**
 * A new dispute, plus its follow-ups when it starts a series: the same parties, the same village,
 * back 2–4 more times within weeks, mostly about the same thing; and, when its mediation fails,
 * now and then its first party petitioning about it again and again (重复信访).
 */
export function newDispute(world: World, rand: Rand, t0: number): CasePlan[] {
  const first = newDisputeCase(world, rand, t0);
  return [first, ...repeatSeries(world, rand, first, t0), ...petitionsAfterFailure(world, rand, first)];
}

/** 3–5 petitions by the first party of a dispute whose mediation failed, within two weeks of it. */
function petitionsAfterFailure(world: World, rand: Rand, first: CasePlan): CasePlan[] {
  if (first.outcome !== 'failed' || !chance(rand, PETITION_AFTER_FAILURE.share)) return [];
  const failedAt = first.steps.find((s) => s.status === 'failed')!.at;
  const [minN, maxN] = PETITION_AFTER_FAILURE.petitions;
  const [minD, maxD] = PETITION_AFTER_FAILURE.withinDays;
  const times = Array.from({ length: intBetween(rand, minN, maxN) }, () => failedAt + uniform(rand, minD, maxD) * DAY);
  return times
    .sort((a, b) => a - b)
    .map((t) => ({
      ...newIncident(world, rand, t, {
        category: 'petition',
        place: first.attrs.place,
        parties: [first.attrs.parties![0]!],
      }),
      tags: { followUp: true },
    }));
}

function repeatSeries(world: World, rand: Rand, first: CasePlan, t0: number): CasePlan[] {
  const out: CasePlan[] = [];
  if (!chance(rand, REPEAT_SERIES.share)) return out;
  const [minN, maxN] = REPEAT_SERIES.followUps;
  const [minD, maxD] = REPEAT_SERIES.withinDays;
  const times = Array.from({ length: intBetween(rand, minN, maxN) }, () => t0 + uniform(rand, minD, maxD) * DAY).sort(
    (a, b) => a - b,
  );
  const category = first.attrs.category as DisputeCategory;
  for (const t of times) {
    out.push(
      newDisputeCase(world, rand, t, {
        category: chance(rand, 0.7) ? category : pickOne(rand, ['family', 'neighbour', 'debt'] as const),
        place: first.attrs.place,
        parties: first.attrs.parties!,
      }),
    );
  }
  return out;
}
