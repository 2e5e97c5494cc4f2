import type { RedisClient } from '../redis/connection.ts';
import { asKeyRing, type KeyRing, type Keys } from '../redis/keys.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock } from '../clock.ts';
import { appendEvents, type AppendResult } from './append.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import { validateEvents } from './validate.ts';
import type { IngestResult } from '../../shared/schemas/ingest.ts';

/** The answer of the ingest contract; its schema lives in shared/schemas/ingest.ts. */
export type { IngestResult };

export interface IngestDeps {
  redis: RedisClient;
  /** One province's keys, or a national ring: each event goes to its own province's stream. */
  keys: Keys | KeyRing;
  clock: Clock;
  metrics: Metrics;
  hasRegion: (code: string) => boolean;
  /** How long an append waits for a replica to confirm it (0: never waits). */
  replicaWaitMs?: number;
  /**
   * Hears each call's valid events as their append is sent, without holding the answer: the checks
   * that need no state (a 命案 marker's red alert) run here rather than after the aggregator's next
   * read, and beside the append rather than after it, so a red alert does not wait for its event's
   * round trip (and its replica's confirmation) before its own. The raise is idempotent by evidence
   * id, so a duplicate heard here counts nothing; an append that fails is answered as failed and
   * sent again by its source, and its alert stands meanwhile, with the event as its evidence. The
   * aggregator runs the checks again on what it counts, for an event whose hook a crash lost.
   */
  onAccepted?: (events: StoredEvent[]) => void;
}

export interface IngestOptions {
  /**
   * When each raw event was received (epoch ms, by index), for an in-process sender handing over
   * what it received earlier: the simulator's history. HTTP and the inbound stream never set it:
   * for them it is the moment of ingest.
   */
  receivedAt?: readonly (number | undefined)[];
  /** The events are history handed over again (the simulator's backfill), not live reports. */
  replayed?: boolean;
}

export type Ingest = (raws: unknown[], source: string, opts?: IngestOptions) => Promise<IngestResult>;

/**
 * The one way in: HTTP, the inbound stream and the simulator all call this. Validate, then write
 * to the log of record; the aggregator takes it from there.
 */
export function createIngest(deps: IngestDeps): Ingest {
  const ring = asKeyRing(deps.keys);
  return async (raws, source, opts) => {
    const now = deps.clock.now();
    const { events, rejected } = validateEvents(raws, {
      source,
      now,
      hasRegion: deps.hasRegion,
      ...(opts?.receivedAt ? { receivedAt: opts.receivedAt } : {}),
      ...(opts?.replayed ? { replayed: true } : {}),
    });
    const valid = events.map((e) => e.event);
    const appending = appendByProvince(deps.redis, ring, valid, deps.replicaWaitMs, now);
    if (deps.onAccepted && valid.length) deps.onAccepted(valid);
    const { appended } = await appending;
    const accepted = appended.filter(Boolean).length;
    const duplicates = appended.length - accepted;
    deps.metrics.ingested.inc({ outcome: 'accepted', source }, accepted);
    deps.metrics.ingested.inc({ outcome: 'duplicate', source }, duplicates);
    deps.metrics.ingested.inc({ outcome: 'rejected', source }, rejected.length);
    for (const r of rejected) deps.metrics.rejects.inc({ field: r.errors[0]?.split(':')[0] ?? 'event' });
    return { accepted, duplicates, rejected };
  };
}

/**
 * Appends each event to its own province's log of record (one script call per province present,
 * so every call stays in one hash tag); the answer keeps the batch's order.
 */
async function appendByProvince(
  redis: RedisClient,
  ring: KeyRing,
  events: StoredEvent[],
  replicaWaitMs: number | undefined,
  now: number,
): Promise<AppendResult> {
  const groups = new Map<Keys, number[]>();
  events.forEach((e, i) => {
    const keys = ring.of(e.region);
    let list = groups.get(keys);
    if (!list) groups.set(keys, (list = []));
    list.push(i);
  });
  const appended: boolean[] = new Array<boolean>(events.length);
  for (const [keys, idx] of groups) {
    const r = await appendEvents(
      redis,
      keys,
      idx.map((i) => events[i]!),
      replicaWaitMs,
      now,
    );
    idx.forEach((i, j) => (appended[i] = r.appended[j]!));
  }
  return { appended };
}
