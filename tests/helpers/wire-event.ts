import type { Status } from '../../shared/vocab.ts';

/**
 * An event as the tests' generators send it over the wire: the ingest contract's fields, loosely
 * typed (a category is any string) so a generator can also write the invalid ones ingest must refuse.
 */
export interface WireEvent {
  id: string;
  caseId: string;
  kind: 'incident' | 'dispute';
  category: string;
  status: Status;
  severity: number;
  region: string;
  occurredAt: string;
  channel: string;
  summary: string;
  riskMarkers?: string[];
}
