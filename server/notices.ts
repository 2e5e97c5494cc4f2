import type { RedisClient } from './redis/connection.ts';
import type { StoredEvent } from '../shared/schemas/event.ts';
import type { Keys } from './redis/keys.ts';
import { publish } from './redis/pubsub.ts';

/**
 * What the aggregator tells the realtime hubs after each batch: which regions changed, and a sample
 * of the events behind the change for the ticker and the map ripples. Sent over Redis pub/sub
 * (sharded on a cluster: server/redis/pubsub.ts) so every server process hears it, whichever
 * process aggregated.
 */
export interface ChangeNotice {
  touched: string[];
  events: StoredEvent[];
  /**
   * What changed in the touched regions' snapshots; absent: anything may have (a reader re-reads
   * it all). A room whose alerts and problems did not change need not read them again.
   */
  parts?: NoticePart[];
}

/** The parts of a snapshot a notice can name: counts (and the cases behind them), alerts, problems. */
export const NOTICE_PARTS = ['counts', 'alerts', 'problems'] as const;
export type NoticePart = (typeof NOTICE_PARTS)[number];

/** The ticker is a sample: a burst of thousands of events would only be dropped by the screens. */
export const NOTICE_EVENT_SAMPLE = 200;

export async function publishNotice(redis: RedisClient, keys: Keys, notice: ChangeNotice): Promise<void> {
  if (!notice.touched.length) return;
  const events = notice.events.length > NOTICE_EVENT_SAMPLE ? notice.events.slice(-NOTICE_EVENT_SAMPLE) : notice.events;
  await publish(
    redis,
    keys.notices,
    JSON.stringify({ touched: notice.touched, events, ...(notice.parts ? { parts: notice.parts } : {}) }),
  );
}

export function parseNotice(message: string): ChangeNotice | undefined {
  try {
    const n = JSON.parse(message) as ChangeNotice;
    if (!Array.isArray(n.touched) || !Array.isArray(n.events)) return undefined;
    // Parts this reader does not know: treated as anything.
    if (n.parts !== undefined && !(Array.isArray(n.parts) && n.parts.every((x) => NOTICE_PARTS.includes(x))))
      delete n.parts;
    return n;
  } catch {
    return undefined;
  }
}
