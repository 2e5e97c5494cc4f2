import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of one server thread, in one registry (no global default registry).
 * `processMetrics: false` for a second thread of a process, whose CPU and memory the first reports.
 */
export function createMetrics(o: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (o.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'pingan_' });
  return {
    registry,
    ingested: new Counter({
      name: 'pingan_ingest_events_total',
      help: 'Events received by ingest, by outcome (accepted, duplicate, rejected) and source',
      labelNames: ['outcome', 'source'] as const,
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'pingan_ingest_rejects_total',
      help: 'Rejected events by the first field named in the reason',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    applied: new Counter({
      name: 'pingan_aggregate_events_total',
      help: 'Events applied by the aggregator, by result (new_case, update, redelivery, conflict)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    applySeconds: new Histogram({
      name: 'pingan_aggregate_batch_seconds',
      help: 'Time to apply one batch of events in Redis',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    streamLag: new Gauge({
      name: 'pingan_stream_lag_entries',
      help: 'Entries in the events stream not yet delivered to the aggregator group (read from the stream by every node)',
      registers: [registry],
    }),
    streamPending: new Gauge({
      name: 'pingan_stream_pending_entries',
      help: 'Entries delivered to an aggregator but not yet acknowledged',
      registers: [registry],
    }),
    streamOldestAge: new Gauge({
      name: 'pingan_stream_oldest_age_seconds',
      help: 'Age of the oldest event not yet applied (undelivered or unacknowledged); 0 when drained',
      registers: [registry],
    }),
    // Where a screen's update waits: for one of the hub's read slots, then for Redis's answer.
    snapshotWait: new Histogram({
      name: 'pingan_snapshot_slot_wait_seconds',
      help: 'Time a room waited for a snapshot read slot, by what the read is for (refresh, join)',
      labelNames: ['for'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    snapshotRead: new Histogram({
      name: 'pingan_snapshot_read_seconds',
      help: 'Time to read and build one room snapshot from Redis, by what it is for (refresh, join)',
      labelNames: ['for'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    sockets: new Gauge({ name: 'pingan_sockets', help: 'Connected sockets', registers: [registry] }),
    deltas: new Counter({ name: 'pingan_deltas_total', help: 'Deltas emitted to rooms', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The supervisor's view of the embedded redis-server, in the registry of the server that owns it. */
export function createEmbeddedRedisMetrics(registry: Registry) {
  return {
    restarts: new Counter({
      name: 'pingan_embedded_redis_restarts_total',
      help: 'Times the embedded redis-server was started again after it exited unexpectedly',
      registers: [registry],
    }),
    up: new Gauge({
      name: 'pingan_embedded_redis_up',
      help: 'Whether the embedded redis-server is running and answering (1) or not (0)',
      registers: [registry],
    }),
  };
}

export type EmbeddedRedisMetrics = ReturnType<typeof createEmbeddedRedisMetrics>;
