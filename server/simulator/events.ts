/**
 * Turns a planned case into ingest-contract events: ids `sim-<caseSeq>-<step>`, caseId
 * `sim-<caseSeq>`, times mapped from simulated to real time and written with +08:00, each with the
 * system that sends it and when it gets through.
 */
import type { EventInput } from '../../shared/schemas/event.ts';
import type { RiskMarker } from '../../shared/vocab.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { CasePlan } from './plan.ts';
import { deliveredAt, sourceOf } from './sources.ts';
import { summary } from './text.ts';

export interface Outgoing {
  /** Real epoch ms at which the event may be sent (never before it occurred). */
  sendAt: number;
  /** Real epoch ms of occurredAt, kept as a number for filtering without parsing. */
  at: number;
  /** The simulated system that sends it (sources.ts): the ingest `source` it is handed over as. */
  source: string;
  event: EventInput;
}

const identity = (ms: number) => ms;

export function caseIdOf(seq: number): string {
  return `sim-${seq}`;
}

export function toEvents(plan: CasePlan, seq: number, toReal: (simMs: number) => number = identity): Outgoing[] {
  const a = plan.attrs;
  const source = sourceOf(a);
  let severity = a.severity;
  return plan.steps.map((step, i) => {
    if (step.severity !== undefined) severity = Math.max(severity, step.severity);
    const markers: RiskMarker[] = [...(i === 0 ? (a.riskMarkers ?? []) : []), ...(step.riskMarkers ?? [])];
    const at = toReal(step.at);
    const event = {
      id: `${caseIdOf(seq)}-${i}`,
      caseId: caseIdOf(seq),
      kind: a.kind,
      category: a.category,
      status: step.status,
      severity,
      region: a.place.region,
      ...(a.location ? { location: { lng: a.location.lng, lat: a.location.lat } } : {}),
      occurredAt: isoBeijing(at),
      channel: a.channel,
      summary: summary({
        kind: a.kind,
        category: a.category,
        channel: a.channel,
        place: a.place,
        issue: a.issue,
        status: step.status,
        markers,
        dispatchTo: a.dispatchTo,
        ...(plan.outcome ? { outcome: plan.outcome } : {}),
      }),
      ...(a.parties ? { parties: [...a.parties] } : {}),
      ...(markers.length ? { riskMarkers: markers } : {}),
    } as EventInput;
    // Delivery is never before the event itself, whatever the mapping did to rounding; a step due
    // while its system's link is down goes when the link is back.
    return { sendAt: Math.max(at, toReal(deliveredAt(source, plan.sendAt[i]!))), at, source, event };
  });
}
