import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import type { Keys } from '../redis/keys.ts';
import { runLua } from '../redis/lua.ts';
import { INGEST_SCRIPT } from '../redis/scripts.ts';
import { DEFAULT_REPLICA_WAIT_MS, ownerOf, waitForReplica } from '../redis/replication.ts';
import { markBucket, markDay, markExpiryDay, markLayout } from './marks.ts';
import { packEvent } from './stream-entry.ts';

/** Events per script call: large enough to amortise the round trip, small enough not to stall Redis. */
const CHUNK = 1000;
/**
 * How long a call's receipt is kept (s). A re-sent call arrives on the reconnect after a dropped
 * connection, within a command timeout (at most 60 s, server/config.ts); after that no one waits
 * for its answer.
 */
const RECEIPT_TTL_S = 120;

export interface AppendResult {
  /** Per event: true appended, false its id was already in the log. */
  appended: boolean[];
}

/**
 * Writes validated events to the log of record. Resolves only after Redis has them, so an answer
 * of "accepted" means the event survives a crash of this process; and, when the master has a
 * replica, only after a replica has them too, so it survives a failover (server/redis/replication.ts).
 */
export async function appendEvents(
  redis: RedisClient,
  keys: Keys,
  events: StoredEvent[],
  replicaWaitMs = DEFAULT_REPLICA_WAIT_MS,
  /** The server's clock (tests move it): marks expire counted from their event's time by it. */
  now = Date.now(),
): Promise<AppendResult> {
  const appended: boolean[] = [];
  if (!events.length) return { appended };
  // Every chunk and the WAIT on one connection: WAIT covers the writes made before it on it.
  const owner = await ownerOf(redis, keys.events);
  const { buckets, legacyUntil } = await markLayout(redis, keys, now);
  const legacy = now < legacyUntil;
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK);
    const codes = await runLua<string>(
      owner.node,
      INGEST_SCRIPT,
      [
        keys.events,
        keys.ingestReceipt(randomBytes(12).toString('base64url')),
        ...chunk.map((e) => keys.eventMarks(markBucket(e.id, buckets))),
        ...(legacy ? chunk.map((e) => keys.legacyEventMark(e.id)) : []),
      ],
      [
        RECEIPT_TTL_S,
        markDay(now),
        legacy ? 1 : 0,
        // Ingest accepts no event whose mark would already be gone (maxEventAgeMs).
        ...chunk.flatMap((e) => [e.id, markExpiryDay(e.ts), packEvent(e)]),
      ],
    );
    for (const c of codes) appended.push(c === 'A');
  }
  if (owner.replicas > 0 && replicaWaitMs > 0) await waitForReplica(owner.node, replicaWaitMs);
  return { appended };
}
