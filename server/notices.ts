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
}

/** The ticker is a sample: a burst of thousands of events would only be dropped by the screens. */
export const NOTICE_EVENT_SAMPLE = 200;

export async function publishNotice(redis: RedisClient, keys: Keys, notice: ChangeNotice): Promise<void> {
  if (!notice.touched.length) return;
  const events = notice.events.length > NOTICE_EVENT_SAMPLE ? notice.events.slice(-NOTICE_EVENT_SAMPLE) : notice.events;
  await publish(redis, keys.notices, JSON.stringify({ touched: notice.touched, events }));
}

export function parseNotice(message: string): ChangeNotice | undefined {
  try {
    const n = JSON.parse(message) as ChangeNotice;
    return Array.isArray(n.touched) && Array.isArray(n.events) ? n : undefined;
  } catch {
    return undefined;
  }
}
