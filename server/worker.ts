// An aggregator worker without HTTP: `npm run worker` with REDIS_URL or REDIS_CLUSTER_NODES set. Any number of these (and
// servers with AGGREGATOR=on) share one consumer group, so each event is applied by one of them.
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { systemClock } from './clock.ts';
import { targetFromConfig } from './redis/target.ts';
import { loadRegionTree } from './regions/tree.ts';
import { startAggregatorRuntime, tuningFromEnv } from './aggregator/runtime.ts';
import type { Aggregator } from './aggregate/consumer.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
const redis = targetFromConfig(config);
if (!redis) {
  console.error(
    'REDIS_URL or REDIS_CLUSTER_NODES is required for a worker (it joins the consumer group of a running system).',
  );
  process.exit(2);
}
const logger = createLogger(config.logLevel);
let aggregator: Aggregator;
try {
  aggregator = startAggregatorRuntime({
    redis,
    regionRoot: config.regionRoot,
    tree: await loadRegionTree(config.regionRoot, undefined, config.provinces),
    clock: systemClock,
    logger,
    metrics: createMetrics(),
    escalation: true,
    tuning: tuningFromEnv(),
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
logger.info('aggregator worker started');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  logger.info('aggregator worker stopping');
  // As the server does: a stop that needs a Redis that is gone (its batch's acknowledgement) would
  // otherwise wait forever. What it leaves unacknowledged is claimed by another aggregator.
  const force = setTimeout(() => {
    logger.error('aggregator worker did not stop within 15 s; exiting (its unacknowledged entries will be claimed)');
    process.exit(1);
  }, 15_000);
  await aggregator.stop();
  clearTimeout(force);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
