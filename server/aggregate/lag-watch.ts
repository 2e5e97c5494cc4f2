import type { RedisClient } from '../redis/connection.ts';
import type { PipelineState } from '../../shared/events.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { withDeadline } from '../redis/unavailable.ts';
import { readGroupLag, type GroupLag } from './group.ts';

export interface PipelineBounds {
  laggingSeconds: number;
  stalledSeconds: number;
}

/** The pipeline's state as this node last read it (the hub stamps it when it sends it). */
export interface PipelineReading {
  state: PipelineState;
  lagEntries: number;
  oldestAgeSeconds: number;
  /** False when Redis could not be read: the figures are the last known, aged since. */
  fresh: boolean;
  /** Why the reading is not fresh. */
  reason?: string;
}

export function classify(ageSeconds: number, bounds: PipelineBounds): PipelineState {
  if (ageSeconds > bounds.stalledSeconds) return 'stalled';
  if (ageSeconds > bounds.laggingSeconds) return 'lagging';
  return 'ok';
}

export interface LagWatch {
  /** Reads now (bounded by `timeoutMs`), updates the gauges and tells `onReading`. */
  read(): Promise<PipelineReading>;
  /** Where each reading goes from now on (the hub, once it exists). */
  tell(onReading: (r: PipelineReading) => void): void;
  stop(): void;
}

/**
 * Reads the consumer group's lag every `everyMs` on every node, with or without an aggregator,
 * into the lag gauges and to `onReading` (the hub). When Redis cannot be read, nothing is being
 * applied either: the last known age keeps growing, so a frozen Redis turns the wall's banner on
 * instead of leaving 实时 up.
 */
export function startLagWatch(o: {
  redis: RedisClient;
  /** The events stream, or every province's of a national deployment (their lag summed, the oldest age kept). */
  stream: string | readonly string[];
  metrics: Metrics;
  logger: Logger;
  bounds: PipelineBounds;
  timeoutMs: number;
  everyMs?: number;
}): LagWatch {
  let onReading: ((r: PipelineReading) => void) | undefined;
  let good: { lag: GroupLag; at: number } | undefined;
  let inFlight: Promise<PipelineReading> | undefined;

  const streams = typeof o.stream === 'string' ? [o.stream] : o.stream;
  async function readLag(): Promise<GroupLag> {
    const all = await Promise.all(streams.map((s) => readGroupLag(o.redis, s)));
    return all.reduce((a, b) => ({
      ...a,
      undelivered: a.undelivered + b.undelivered,
      pending: a.pending + b.pending,
      oldestAgeMs: Math.max(a.oldestAgeMs, b.oldestAgeMs),
    }));
  }

  async function measure(): Promise<PipelineReading> {
    let reading: PipelineReading;
    try {
      const lag = await withDeadline(readLag(), o.timeoutMs);
      good = { lag, at: Date.now() };
      const ageSeconds = Math.floor(lag.oldestAgeMs / 1000);
      reading = {
        state: classify(ageSeconds, o.bounds),
        lagEntries: lag.undelivered + lag.pending,
        oldestAgeSeconds: ageSeconds,
        fresh: true,
      };
      o.metrics.streamLag.set(lag.undelivered);
      o.metrics.streamPending.set(lag.pending);
      o.metrics.streamOldestAge.set(lag.oldestAgeMs / 1000);
    } catch (err) {
      const since = good ? Date.now() - good.at : 0;
      const ageSeconds = Math.floor(((good?.lag.oldestAgeMs ?? 0) + since) / 1000);
      reading = {
        state: classify(ageSeconds, o.bounds),
        lagEntries: good ? good.lag.undelivered + good.lag.pending : 0,
        oldestAgeSeconds: ageSeconds,
        fresh: false,
        reason: `redis unreachable: ${(err as Error).message}`,
      };
      o.metrics.streamOldestAge.set(ageSeconds);
      o.logger.debug({ err }, 'could not read the pipeline lag');
    }
    onReading?.(reading);
    return reading;
  }

  const read = () => (inFlight ??= measure().finally(() => (inFlight = undefined)));
  const timer = setInterval(() => void read(), o.everyMs ?? 2000);
  timer.unref();
  void read();
  return {
    read,
    tell(fn) {
      onReading = fn;
    },
    stop: () => clearInterval(timer),
  };
}
