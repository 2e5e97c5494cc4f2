// The events the fanout benchmark posts, and the rule that says which of them is an alert: shared by
// the driver (which makes them) and the bare baseline server (which must pick the same ones).

/** Risk markers that make the 命案风险 rule raise a red alert in our server. */
const ALERT_MARKERS = ['kill_threat', 'weapon'];

export interface BenchEvent {
  id: string;
  caseId: string;
  kind: 'incident' | 'dispute';
  category: string;
  status: string;
  severity: number;
  region: string;
  occurredAt: string;
  channel: string;
  summary: string;
  riskMarkers?: string[];
}

/** A new incident case: counted in `counts.today.incident` of its region and every ancestor. */
export function incident(seq: number, region: string): BenchEvent {
  return {
    id: `fan-${seq}`,
    caseId: `fan-${seq}`,
    kind: 'incident',
    category: 'public_order',
    status: 'reported',
    severity: 1,
    region,
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    channel: 'police_110',
    summary: '压测事件',
  };
}

/** A high-risk dispute, for the alert path: our server raises one red alert per such case. */
export function alertDispute(tick: number, region: string): BenchEvent {
  return {
    id: `fan-alert-${tick}`,
    caseId: `fan-alert-${tick}`,
    kind: 'dispute',
    category: 'family',
    status: 'received',
    severity: 3,
    region,
    occurredAt: new Date(Date.now() - 1000).toISOString(),
    channel: 'grid',
    summary: '扬言持刀报复',
    riskMarkers: ALERT_MARKERS,
  };
}

/** The selection rule: an event is an alert in our run when it carries the alert markers. */
export function isBenchAlert(e: { kind?: unknown; riskMarkers?: unknown }): boolean {
  const markers = e.riskMarkers;
  return e.kind === 'dispute' && Array.isArray(markers) && ALERT_MARKERS.every((m) => markers.includes(m));
}
