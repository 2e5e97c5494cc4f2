/** Hands events to ingest, source by source, in batches of at most 5,000 (the contract's batch limit). */
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import type { Outgoing } from './events.ts';

export const MAX_BATCH = 5_000;

export interface SendTotals {
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Sends in order within each source (a system's messages arrive in the order it sent them), each
 * as received when its system delivered it (`sendAt`): the backfill hands over hours of history at
 * once, and a late report must stay late, an on-time one on time. A rejection is a simulator bug
 * (everything it builds should pass validation), so it is logged loudly but does not stop the
 * feed; an ingest error propagates.
 */
export async function sendEvents(
  ingest: Ingest,
  outgoing: readonly Outgoing[],
  logger: Logger,
  /** History (the backfill), not the live feed: the rules date what they raise from it. */
  replayed = false,
): Promise<SendTotals> {
  const totals: SendTotals = { accepted: 0, duplicates: 0, rejected: 0 };
  const bySource = new Map<string, Outgoing[]>();
  for (const o of outgoing) {
    const list = bySource.get(o.source);
    if (list) list.push(o);
    else bySource.set(o.source, [o]);
  }
  for (const [source, list] of bySource) {
    for (let i = 0; i < list.length; i += MAX_BATCH) {
      const batch = list.slice(i, i + MAX_BATCH);
      const r = await ingest(
        batch.map((o) => o.event),
        source,
        { receivedAt: batch.map((o) => o.sendAt), ...(replayed ? { replayed } : {}) },
      );
      totals.accepted += r.accepted;
      totals.duplicates += r.duplicates;
      totals.rejected += r.rejected.length;
      if (r.rejected.length > 0) {
        logger.warn(
          { source, rejected: r.rejected.length, examples: r.rejected.slice(0, 3) },
          'simulator events rejected by ingest',
        );
      }
    }
  }
  return totals;
}
