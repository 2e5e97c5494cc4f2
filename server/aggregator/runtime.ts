import { closeRedis, openRedis } from '../redis/connection.ts';
import type { RedisTarget } from '../redis/target.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RegionTree } from '../regions/tree.ts';
import { createKeyRing } from '../redis/keys.ts';
import { startPipeline, type PipelineOptions } from '../aggregate/pipeline.ts';
import type { Aggregator } from '../aggregate/consumer.ts';
import { createAuditLog } from '../audit/log.ts';
import { setupAlerting } from '../warnings/setup.ts';
import { loadRulesConfig } from '../warnings/config.ts';
import { reportsOption } from '../assessment/report-timeliness.ts';
import { alertsFromRules } from '../alerts/service.ts';
import { REPLAY_BASE_ALERTS, ReplayBase, replayOwners } from '../replay/base.ts';
import { startReplayPacking } from '../replay/pack.ts';
import { startMarkSweeping } from '../ingest/marks.ts';
import { startCaseSweeping } from '../aggregate/case-store.ts';
import { startRuleBucketSweeping } from '../warnings/rule-buckets.ts';
import { startMonthPacking } from '../counters/month-pack.ts';

export interface AggregatorRuntimeOptions {
  redis: RedisTarget;
  regionRoot: string;
  tree: RegionTree;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  tuning?: PipelineOptions['tuning'];
  /** The escalation timer too (a worker process); a server's thread leaves it to its server. */
  escalation: boolean;
}

/** Tuning knobs read from the environment: WORKER_NAME, CLAIM_IDLE_MS, AGGREGATOR_BATCH. */
export function tuningFromEnv(env: NodeJS.ProcessEnv = process.env): PipelineOptions['tuning'] {
  return {
    ...(env.WORKER_NAME ? { consumerName: env.WORKER_NAME } : {}),
    ...(env.CLAIM_IDLE_MS ? { claimIdleMs: Number(env.CLAIM_IDLE_MS) } : {}),
    ...(env.AGGREGATOR_BATCH ? { batchSize: Number(env.AGGREGATOR_BATCH) } : {}),
  };
}

/**
 * An aggregator with everything it needs of its own: Redis connections (one per province blocks
 * on that province's stream), the warning rules and their timers. The same runtime runs in a
 * server's aggregator thread and in a worker process; all of them join one consumer group per
 * province. A national deployment runs one pipeline per province: each reads, counts and raises
 * alerts under its own province's keys, so nothing per event reaches the nation.
 */
export function startAggregatorRuntime(o: AggregatorRuntimeOptions): Aggregator {
  const ring = createKeyRing(o.regionRoot, o.tree.provinces);
  const commands = openRedis(o.redis, 'aggregator', o.logger);
  // Alerts are raised and published on a connection of their own: on the batches' connection a red
  // alert's three round trips (group lookup, raise script, publish) each queued behind the commits
  // and rule reads already sent, however many there were.
  const raising = openRedis(o.redis, 'aggregator-alerts', o.logger);
  const connections = [commands, raising];
  // The warning rules run wherever events are aggregated, so workers raise alerts too.
  const rules = loadRulesConfig();
  // One audit trail for the deployment, whichever province an action concerns.
  const audit = createAuditLog({ redis: commands, prefix: ring.root.prefix, clock: o.clock });
  // Alerts are the deployment's, like its desks (under `{00}` for the nation): a national desk
  // lists and counts them in one place, and nothing per event is written there.
  const alerts = alertsFromRules({ redis: raising, keys: ring.root, clock: o.clock, audit }, rules);
  const parts = ring.provinces.map((province, i) => {
    const keys = ring.of(province);
    const blocking = openRedis(o.redis, `aggregator-stream-${province}`, o.logger);
    connections.push(blocking);
    const alerting = setupAlerting({
      redis: commands,
      keys,
      clock: o.clock,
      logger: o.logger,
      tree: o.tree.province(province)!,
      rules,
      alerts,
      ...reportsOption(commands, keys, rules.timeliness),
    });
    // One escalation timer over the one alert store, not one per province.
    const stopAlerting = alerting.start({ rules: true, escalation: o.escalation && i === 0 });
    const pipeline = startPipeline({
      redis: commands,
      blocking,
      keys,
      clock: o.clock,
      logger: o.logger,
      metrics: o.metrics,
      after: alerting.warnings,
      replay: new ReplayBase({
        redis: commands,
        keys,
        owners: replayOwners(o.tree.province(province)!),
        openAlerts: () => alerts.list(province, 'open', REPLAY_BASE_ALERTS),
        logger: o.logger,
      }),
      ...(o.tuning ? { tuning: o.tuning } : {}),
    });
    // Closed replay hours deflated (server/replay/pack.ts): every aggregator may run it, safely.
    const stopPacking = startReplayPacking({ redis: commands, keys, clock: o.clock, logger: o.logger });
    // Event-id marks past their day (server/ingest/marks.ts), likewise safe on every aggregator,
    // cases forgotten (server/aggregate/case-store.ts) and the warning rules' records
    // (server/warnings/rule-buckets.ts).
    const sweeps = [startMarkSweeping, startCaseSweeping, startRuleBucketSweeping].map((start) =>
      start({ redis: commands, keys, clock: o.clock, logger: o.logger }),
    );
    // The townships' closed months packed (server/counters/month-pack.ts), likewise.
    sweeps.push(
      startMonthPacking({
        redis: commands,
        keys,
        clock: o.clock,
        logger: o.logger,
        townships: o.tree.province(province)!.codesAt('township'),
      }),
    );
    const stopSweeping = () => Promise.all(sweeps.map((stop) => stop()));
    return { pipeline, stopAlerting, stopPacking, stopSweeping };
  });
  return {
    get running() {
      return parts.every((p) => p.pipeline.running);
    },
    async stop() {
      await Promise.all(parts.map((p) => p.stopAlerting()));
      await Promise.all(parts.map((p) => p.stopPacking()));
      await Promise.all(parts.map((p) => p.stopSweeping()));
      await Promise.all(parts.map((p) => p.pipeline.stop()));
      await Promise.all(connections.map(closeRedis));
    },
  };
}
