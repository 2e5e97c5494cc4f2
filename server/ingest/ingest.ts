import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock } from '../clock.ts';
import { appendEvents } from './append.ts';
import { validateEvents } from './validate.ts';
import type { IngestResult } from '../../shared/schemas/ingest.ts';

/** The answer of the ingest contract; its schema lives in shared/schemas/ingest.ts. */
export type { IngestResult };

export interface IngestDeps {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  metrics: Metrics;
  hasRegion: (code: string) => boolean;
  /** How long an append waits for a replica to confirm it (0: never waits). */
  replicaWaitMs?: number;
}

export interface IngestOptions {
  /**
   * When each raw event was received (epoch ms, by index), for an in-process sender handing over
   * what it received earlier: the simulator's history. HTTP and the inbound stream never set it:
   * for them it is the moment of ingest.
   */
  receivedAt?: readonly (number | undefined)[];
}

export type Ingest = (raws: unknown[], source: string, opts?: IngestOptions) => Promise<IngestResult>;

/**
 * The one way in: HTTP, the inbound stream and the simulator all call this. Validate, then write
 * to the log of record; the aggregator takes it from there.
 */
export function createIngest(deps: IngestDeps): Ingest {
  return async (raws, source, opts) => {
    const { events, rejected } = validateEvents(raws, {
      source,
      now: deps.clock.now(),
      hasRegion: deps.hasRegion,
      ...(opts?.receivedAt ? { receivedAt: opts.receivedAt } : {}),
    });
    const { appended } = await appendEvents(
      deps.redis,
      deps.keys,
      events.map((e) => e.event),
      deps.replicaWaitMs,
    );
    const accepted = appended.filter(Boolean).length;
    const duplicates = appended.length - accepted;
    deps.metrics.ingested.inc({ outcome: 'accepted', source }, accepted);
    deps.metrics.ingested.inc({ outcome: 'duplicate', source }, duplicates);
    deps.metrics.ingested.inc({ outcome: 'rejected', source }, rejected.length);
    for (const r of rejected) deps.metrics.rejects.inc({ field: r.errors[0]?.split(':')[0] ?? 'event' });
    return { accepted, duplicates, rejected };
  };
}
