import type { RedisClient } from '../redis/connection.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Keys } from '../redis/keys.ts';
import { runScript } from '../redis/scripts.ts';
import { RETENTION } from '../counters/retention.ts';

/** Events per script call: large enough to amortise the round trip, small enough not to stall Redis. */
const CHUNK = 1000;

export interface AppendResult {
  /** Per event: true appended, false its id was already in the log. */
  appended: boolean[];
}

/**
 * Writes validated events to the log of record. Resolves only after Redis has them, so an answer
 * of "accepted" means the event survives a crash of this process.
 */
export async function appendEvents(redis: RedisClient, keys: Keys, events: StoredEvent[]): Promise<AppendResult> {
  const appended: boolean[] = [];
  for (let i = 0; i < events.length; i += CHUNK) {
    const args: (string | number)[] = [keys.eventMark(''), RETENTION.eventMarkTtlS];
    for (const e of events.slice(i, i + CHUNK)) args.push(e.id, JSON.stringify(e));
    const codes = await runScript<string>(redis, 'pinganIngest', keys.events, args);
    for (const c of codes) appended.push(c === 'A');
  }
  return { appended };
}
