// An aggregator worker without HTTP: `npm run worker` with REDIS_URL set. Any number of these (and
// servers with AGGREGATOR=on) share one consumer group, so each event is applied by one of them.
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createKeys } from './redis/keys.ts';
import { systemClock } from './clock.ts';
import { startPipeline } from './aggregate/pipeline.ts';
import { redisOptionsFromUrl } from './redis/url.ts';
import { loadRegionTree } from './regions/tree.ts';
import { createAuditLog } from './audit/log.ts';
import { setupAlerting, type Alerting } from './warnings/setup.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
if (!config.redisUrl) {
  console.error('REDIS_URL is required for a worker (it joins the consumer group of a running system).');
  process.exit(2);
}
const logger = createLogger(config.logLevel);
const redisOptions = redisOptionsFromUrl(config.redisUrl);
const keys = createKeys(config.regionRoot);
const commands = new Redis(redisOptions);
const blocking = new Redis(redisOptions);
// The warning rules run wherever events are aggregated, so a deployment of workers raises alerts too.
let alerting: Alerting;
try {
  const audit = createAuditLog({ redis: commands, prefix: keys.prefix, clock: systemClock });
  alerting = setupAlerting({
    redis: commands,
    keys,
    clock: systemClock,
    logger,
    tree: await loadRegionTree(config.regionRoot),
    audit,
  });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
}
const stopAlerting = alerting.start({ rules: true });
const aggregator = startPipeline({
  redis: commands,
  blocking,
  keys,
  clock: systemClock,
  logger,
  metrics: createMetrics(),
  after: alerting.warnings,
  tuning: {
    ...(process.env.WORKER_NAME ? { consumerName: process.env.WORKER_NAME } : {}),
    ...(process.env.CLAIM_IDLE_MS ? { claimIdleMs: Number(process.env.CLAIM_IDLE_MS) } : {}),
    ...(process.env.AGGREGATOR_BATCH ? { batchSize: Number(process.env.AGGREGATOR_BATCH) } : {}),
  },
});
logger.info('aggregator worker started');

const stop = async () => {
  await stopAlerting();
  await aggregator.stop();
  commands.disconnect();
  blocking.disconnect();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
