import type { RedisOptions } from 'ioredis';
import { openRedis } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { RegionTree } from '../regions/tree.ts';
import { createKeys } from '../redis/keys.ts';
import { startPipeline, type PipelineOptions } from '../aggregate/pipeline.ts';
import type { Aggregator } from '../aggregate/consumer.ts';
import { createAuditLog } from '../audit/log.ts';
import { setupAlerting } from '../warnings/setup.ts';
import { loadRulesConfig } from '../warnings/config.ts';
import { alertsFromRules } from '../alerts/service.ts';
import { REPLAY_BASE_ALERTS, ReplayBase, replayOwners } from '../replay/base.ts';

export interface AggregatorRuntimeOptions {
  redis: RedisOptions;
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
 * An aggregator with everything it needs of its own: two Redis connections (one blocks on the
 * stream), the warning rules and their timers. The same runtime runs in a server's aggregator
 * thread and in a worker process; all of them join one consumer group.
 */
export function startAggregatorRuntime(o: AggregatorRuntimeOptions): Aggregator {
  const keys = createKeys(o.regionRoot);
  const commands = openRedis(o.redis, 'aggregator', o.logger);
  const blocking = openRedis(o.redis, 'aggregator-stream', o.logger);
  // The warning rules run wherever events are aggregated, so workers raise alerts too.
  const rules = loadRulesConfig();
  const alerts = alertsFromRules(
    {
      redis: commands,
      keys,
      clock: o.clock,
      audit: createAuditLog({ redis: commands, prefix: keys.prefix, clock: o.clock }),
    },
    rules,
  );
  const alerting = setupAlerting({
    redis: commands,
    keys,
    clock: o.clock,
    logger: o.logger,
    tree: o.tree,
    rules,
    alerts,
  });
  const stopAlerting = alerting.start({ rules: true, escalation: o.escalation });
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
      owners: replayOwners(o.tree),
      openAlerts: () => alerts.list(o.regionRoot, 'open', REPLAY_BASE_ALERTS),
      logger: o.logger,
    }),
    ...(o.tuning ? { tuning: o.tuning } : {}),
  });
  return {
    get running() {
      return pipeline.running;
    },
    async stop() {
      await stopAlerting();
      await pipeline.stop();
      await Promise.all([commands, blocking].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
