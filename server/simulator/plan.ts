/** The shape of a planned case: everything about it, decided when it is born. */
import type { PointLngLat } from '../regions/point-in-county.ts';
import type { Channel, Kind, RiskMarker, Status } from '../../shared/vocab.ts';
import type { Step } from './lifecycle.ts';
import type { Place } from './weights.ts';

export interface CaseAttrs {
  kind: Kind;
  category: string;
  channel: Channel;
  /** Severity at receipt; a step may raise it (escalation). */
  severity: number;
  place: Place;
  location?: PointLngLat;
  parties?: string[];
  /** Markers known at receipt, sent with the first step. */
  riskMarkers?: RiskMarker[];
  /** What happened, the middle of every summary of the case. */
  issue: string;
  /** Department a dispute is dispatched to, named the same in every step. */
  dispatchTo: string;
}

export interface CasePlan {
  attrs: CaseAttrs;
  /** In lifecycle order, strictly by time. */
  steps: Step<Status>[];
  /** Delivery time per step (≥ its `at`); may be out of order. */
  sendAt: number[];
  outcome?: 'resolved' | 'failed';
  /** For tests and logs: why this case exists. */
  tags?: { lateDispatch?: boolean; lateResolution?: boolean; spike?: boolean; followUp?: boolean; homicide?: boolean };
}
