import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { redisServerAvailable, startEmbeddedRedis, type EmbeddedRedis } from './redis/embedded.ts';
import { loadRegionTree } from './regions/tree.ts';
import { loadSecrets } from './secrets.ts';
import { createServer } from './app.ts';
import { bootstrapAccounts } from './auth/bootstrap.ts';
import { startSimulator } from './simulator/simulator.ts';
import { seedDemoProblems } from './problems/demo.ts';
import { printBanner } from './banner.ts';
import { singleNode, targetFromConfig, type RedisTarget } from './redis/target.ts';
import { createEmbeddedRedisMetrics, createMetrics } from './metrics.ts';
import { checkDurability } from './redis/durability.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const metrics = createMetrics();

  let embedded: EmbeddedRedis | undefined;
  let redis: RedisTarget;
  const external = targetFromConfig(config);
  if (external) redis = external;
  else {
    if (!redisServerAvailable()) {
      console.error(
        'redis-server is not installed. Install it (Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL.',
      );
      process.exit(3);
    }
    embedded = await startEmbeddedRedis({
      dir: path.join(config.dataDir, 'redis'),
      logger,
      supervise: { metrics: createEmbeddedRedisMetrics(metrics.registry) },
    });
    redis = singleNode({ ...embedded.connection, maxRetriesPerRequest: null });
  }

  const tree = await loadRegionTree(config.regionRoot, undefined, config.provinces);
  const secrets = loadSecrets(config.dataDir);
  const server = await createServer({ config, redis, tree, logger, secrets, metrics });
  if (!embedded) await checkDurability(server.redis, logger);
  // Accounts exist before the port opens: a client that sees /readyz answer can log in.
  const accounts = await bootstrapAccounts({
    users: server.users,
    dataDir: config.dataDir,
    root: config.regionRoot,
    provinces: tree.provinces,
    adminPassword: config.adminPassword,
    demo: config.embeddedRedis,
  });
  // The demo's 重点问题 (Gansu only: their regions and departments are Gansu's).
  if (config.simulator && config.regionRoot === '62')
    await seedDemoProblems(server.problems).catch((err: unknown) => logger.warn({ err }, 'demo problems not seeded'));
  const port = await server.listen(config.port, config.host);
  const simulator = config.simulator
    ? await startSimulator({
        ingest: server.ingest,
        redis: server.redis,
        tree,
        logger,
        speed: config.simulatorSpeed,
        backfillDays: config.simulatorBackfillDays,
        scale: config.simulatorScale,
        history: {
          alerts: server.alerts,
          drained: server.drained,
          departments: server.departments,
          rules: server.rules,
        },
        ...(config.simulatorHistory ? { olderHistory: { backlog: () => server.backlog() } } : {}),
      })
    : undefined;

  printBanner({
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/`,
    accounts,
    ingestKey: config.ingestKeys ? undefined : secrets.demoIngestKey,
    simulator: !!simulator,
    olderHistory: !!simulator && config.simulatorHistory,
    embeddedRedis: !!embedded,
    dataDir: config.dataDir,
    ...(config.regionRoot === '00' ? { provinces: tree.provinces } : {}),
    simulatorScale: config.simulatorScale,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    await simulator?.stop();
    await server.close();
    await embedded?.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
