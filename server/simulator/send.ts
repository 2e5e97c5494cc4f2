/** Hands events to ingest in batches of at most 5,000 (the ingest contract's batch limit). */
import type { EventInput } from '../../shared/schemas/event.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';

export const MAX_BATCH = 5_000;
export const SOURCE = 'simulator';

export interface SendTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Sends in order, batch by batch. A rejection is a simulator bug (everything it builds should pass
 * validation), so it is logged loudly but does not stop the feed; an ingest error propagates.
 */
export async function sendEvents(ingest: Ingest, events: readonly EventInput[], logger: Logger): Promise<SendTotals> {
  const totals: SendTotals = { accepted: 0, duplicates: 0, rejected: 0 };
  for (let i = 0; i < events.length; i += MAX_BATCH) {
    const r = await ingest(events.slice(i, i + MAX_BATCH), SOURCE);
    totals.accepted += r.accepted;
    totals.duplicates += r.duplicates;
    totals.rejected += r.rejected.length;
    if (r.rejected.length > 0) {
      logger.warn(
        { rejected: r.rejected.length, examples: r.rejected.slice(0, 3) },
        'simulator events rejected by ingest',
      );
    }
  }
  return totals;
}
