import type { RedisClient } from '../redis/connection.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Keys } from '../redis/keys.ts';
import { RETENTION } from '../counters/retention.ts';
import { NOTICE_EVENT_SAMPLE } from '../notices.ts';

/**
 * Replay storage, part two: what the screens were sent besides numbers, one list per hour of
 * sending. The ticker list holds the same sample a change notice carries (at most
 * NOTICE_EVENT_SAMPLE events a batch); the alert list every alert view as published. Both are
 * written after the fact (not inside a commit): the ticker is a sample by design, and an alert
 * view is also kept by the alert store itself.
 */

const HOUR_MS = 3_600_000;

/** A ticker record: when it was sent, and the event as the ticker needs it. */
export interface TickerRecord {
  t: number;
  e: Pick<
    StoredEvent,
    'id' | 'kind' | 'category' | 'status' | 'severity' | 'region' | 'channel' | 'summary' | 'location' | 'ts'
  >;
}

/** An alert record: when it was published, and the view the screens got. */
export interface AlertRecord {
  t: number;
  a: AlertView;
}

export async function recordTicker(redis: RedisClient, keys: Keys, now: number, events: StoredEvent[]): Promise<void> {
  if (!events.length) return;
  const sample = events.length > NOTICE_EVENT_SAMPLE ? events.slice(-NOTICE_EVENT_SAMPLE) : events;
  const key = keys.replayTicker(Math.floor(now / HOUR_MS));
  const lines = sample.map((e) => {
    const rec: TickerRecord = {
      t: now,
      e: {
        id: e.id,
        kind: e.kind,
        category: e.category,
        status: e.status,
        severity: e.severity,
        region: e.region,
        channel: e.channel,
        summary: e.summary,
        ts: e.ts,
        ...(e.location ? { location: e.location } : {}),
      },
    };
    return JSON.stringify(rec);
  });
  await redis
    .multi()
    .rpush(key, ...lines)
    .expire(key, RETENTION.replayTtlS)
    .exec();
}

export async function recordAlert(redis: RedisClient, keys: Keys, now: number, alert: AlertView): Promise<void> {
  const key = keys.replayAlerts(Math.floor(now / HOUR_MS));
  const rec: AlertRecord = { t: now, a: alert };
  await redis.multi().rpush(key, JSON.stringify(rec)).expire(key, RETENTION.replayTtlS).exec();
}
