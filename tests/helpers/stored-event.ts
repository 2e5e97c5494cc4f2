import { isoBeijing } from '../../server/time/beijing.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';

/** A dispute as ingest stores it, in a village of 甘州区, for tests that write to the log directly. */
export function storedDispute(id: string, ts: number, over: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id,
    caseId: `case-${id}`,
    kind: 'dispute',
    category: 'neighbour',
    status: 'received',
    severity: 1,
    region: '620702001001',
    channel: 'walk_in',
    summary: '邻里纠纷',
    occurredAt: isoBeijing(ts),
    source: 'test',
    ts,
    receivedAt: ts,
    ...over,
  } as StoredEvent;
}
