import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Redis, RedisOptions } from 'ioredis';
import { connectionReady, openRedis } from './redis/connection.ts';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { RegionTree } from './regions/tree.ts';
import { sharedTokenSecret, type Secrets } from './secrets.ts';
import { systemClock, type Clock } from './clock.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createKeys } from './redis/keys.ts';
import { defineScripts } from './redis/scripts.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import { ingestRouter } from './http/routes/ingest.ts';
import { startInboundReader } from './ingest/inbound.ts';
import { IngestKeys, ingestKeysHash } from './auth/ingest-keys.ts';
import { Users } from './auth/users.ts';
import { Tokens } from './auth/tokens.ts';
import type { Aggregator } from './aggregate/consumer.ts';
import { streamDrained } from './aggregate/group.ts';
import type { Alerts } from './alerts/service.ts';
import { startPipeline } from './aggregate/pipeline.ts';
import { startAggregatorThread, type AggregatorThread } from './aggregator/thread-start.ts';
import { readSnapshot } from './aggregate/snapshot.ts';
import { startHub, type IO } from './realtime/hub.ts';
import { startLagWatch } from './aggregate/lag-watch.ts';
import { healthRouter } from './http/routes/health.ts';
import { wireSocketHandlers } from './realtime/handlers.ts';
import { authRouter } from './http/routes/auth.ts';
import { regionsRouter } from './http/routes/regions.ts';
import { replayRouter } from './http/routes/replay.ts';
import { replayEvents, replaySnapshot } from './replay/read.ts';
import { REPLAY_BASE_ALERTS, ReplayBase, replayOwners } from './replay/base.ts';
import { usersRouter } from './http/routes/users.ts';
import { ingestKeysRouter } from './http/routes/ingest-keys.ts';
import { auditRouter } from './http/routes/audit.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { openApiDocument } from './http/openapi/document.ts';
import { alertsRouter } from './http/routes/alerts.ts';
import { safetyIndexRouter } from './http/routes/safety-index.ts';
import { timelinessRouter } from './http/routes/timeliness.ts';
import { SafetyIndex } from './safety-index/service.ts';
import { setupAlerting } from './warnings/setup.ts';
import { loadRulesConfig, reportLimitMs } from './warnings/config.ts';
import { alertsFromRules } from './alerts/service.ts';
import { createDepartmentRegistry } from './departments/registry.ts';
import { departmentsRouter } from './http/routes/departments.ts';
import { createAuditLog, type AuditLog } from './audit/log.ts';
import { createLoginFailures } from './audit/login-failures.ts';
import { createHashGate } from './auth/hash-gate.ts';
import { createSessionEnder } from './realtime/sessions.ts';
import { allowSocketRequest, corsGuard, originPolicy } from './http/origins.ts';
import { securityHeaders } from './http/security.ts';
import { ingestLimiter, loginLimiter } from './http/rate-limits.ts';
import { apiJson, rejectUnsafeJson } from './http/safe-json.ts';

export interface ServerDeps {
  config: Config;
  /** How to reach Redis; the server opens the connections it needs (commands, blocking, pub/sub). */
  redis: RedisOptions;
  tree: RegionTree;
  logger: Logger;
  secrets: Secrets;
  clock?: Clock;
  /** The registry /metrics serves, when the entry point has metrics of its own (the embedded Redis). */
  metrics?: Metrics;
  /** Built client to serve; defaults to dist/client when it exists. */
  staticDir?: string;
}

export interface PinganServer {
  httpServer: http.Server;
  /** The Express application (tests read its routes to check every one is authorized). */
  app: express.Express;
  io: IO;
  redis: Redis;
  ingest: Ingest;
  users: Users;
  tokens: Tokens;
  ingestKeys: IngestKeys;
  /** The tamper-evident trail: logins, admin actions, alert actions. */
  audit: AuditLog;
  alerts: Alerts;
  /** Whether the aggregators have applied everything in the events stream. */
  drained(): Promise<boolean>;
  /** Listens and resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, drains sockets and the aggregator, closes Redis connections. */
  close(): Promise<void>;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Builds the whole server without listening, so tests can start as many as they like. */
export async function createServer(deps: ServerDeps): Promise<PinganServer> {
  const { config, logger, tree } = deps;
  if (deps.clock && config.aggregator === 'on')
    throw new Error('an injected clock cannot reach the aggregator thread: use AGGREGATOR=inline');
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  const keys = createKeys(config.regionRoot);
  const connect = (name: string) => openRedis(deps.redis, name, logger);
  // Connections that serve requests give up on Redis after a bound, so a request is answered 503
  // instead of hanging while Redis is down or frozen. A command that timed out may still run
  // when Redis comes back: ingest dedupes by event id, so a resent batch counts it as a duplicate.
  const serving = (name: string) =>
    openRedis({ ...deps.redis, commandTimeout: config.redisCommandTimeoutMs }, name, logger);
  const redis = serving('cmd');
  await connectionReady(redis);
  defineScripts(redis);
  const connections = [redis];

  const users = new Users(redis, keys.prefix);
  const tokens = new Tokens(
    await sharedTokenSecret(redis, `${keys.prefix}secret:token`),
    users,
    redis,
    keys.prefix,
    clock,
  );
  const ingestKeys = new IngestKeys(
    redis,
    ingestKeysHash(keys.prefix),
    config.ingestKeys ?? [{ source: 'demo', key: deps.secrets.demoIngestKey }],
    () => clock.now(),
  );
  const audit = createAuditLog({ redis, prefix: keys.prefix, clock });
  const loginFailures = createLoginFailures({ redis, prefix: keys.prefix, audit, clock, logger });
  const stopLoginFailures = loginFailures.start();
  const sessions = createSessionEnder();
  const origins = originPolicy(config.allowedOrigins);
  // Appends have a connection of their own: on the shared one an event (and its alert) would queue
  // behind the hub's snapshot reads.
  const appendRedis = serving('ingest');
  connections.push(appendRedis);
  const ingest = createIngest({ redis: appendRedis, keys, clock, metrics, hasRegion: (c) => tree.has(c) });
  // The composition root builds the alerts service and hands the same one to the rules' timers and the routes.
  const rules = loadRulesConfig();
  const alerts = alertsFromRules({ redis, keys, clock, audit }, rules);
  const alerting = setupAlerting({ redis, keys, clock, logger, tree, rules, alerts });
  const departments = createDepartmentRegistry({ redis, prefix: keys.prefix });
  const snapshot = (code: string) =>
    readSnapshot(
      { redis, keys, region: (c) => tree.info(c), alerts: (c, kids) => alerting.alerts.digest(c, kids) },
      code,
      clock.now(),
    );

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  let aggregator: Aggregator | undefined;
  let thread: AggregatorThread | undefined;
  let inbound: { stop(): Promise<void> } | undefined;
  const watch = startLagWatch({
    redis,
    stream: keys.events,
    metrics,
    logger,
    bounds: config.pipelineBounds,
    timeoutMs: Math.min(config.redisCommandTimeoutMs, 1500),
  });
  app.use(
    healthRouter({
      redis,
      watch,
      aggregatorRunning: () => config.aggregator === 'off' || aggregator?.running === true,
      metrics: async () => ({
        contentType: metrics.registry.contentType,
        text: await (thread ? thread.metricsText(metrics.registry) : metrics.registry.metrics()),
      }),
    }),
  );

  const api = express.Router();
  api.use(corsGuard(origins));
  const openApi = openApiDocument();
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  api.use('/', ingestRouter({ ingest, ingestKeys, limiter: ingestLimiter(redis, keys.prefix, config.rateLimits) }));
  api.use(apiJson(), rejectUnsafeJson);
  api.use(
    '/',
    authRouter({
      users,
      tokens,
      audit,
      sessions,
      loginLimiter: loginLimiter(redis, keys.prefix, config.rateLimits),
      hashGate: createHashGate(),
      loginFailures,
    }),
  );
  const replayDeps = {
    redis,
    keys,
    region: (c: string) => tree.info(c),
    regionName: (c: string) => tree.get(c)?.name ?? c,
  };
  api.use(
    '/',
    regionsRouter({
      tree,
      tokens,
      snapshot,
      replay: (c, at) => replaySnapshot(replayDeps, c, at),
      now: () => clock.now(),
    }),
  );
  api.use(
    '/',
    replayRouter({
      tree,
      tokens,
      now: () => clock.now(),
      events: (c, from, to) => replayEvents(replayDeps, c, from, to),
    }),
  );
  api.use('/', alertsRouter({ alerts, tokens, tree, departments, reportLimitMs: (l) => reportLimitMs(rules, l) }));
  api.use('/', departmentsRouter({ departments, alerts, tokens, tree }));
  api.use('/', safetyIndexRouter({ tree, tokens, index: new SafetyIndex({ redis, keys, tree, clock }) }));
  api.use('/', timelinessRouter({ tree, tokens, redis, keys, clock, config: alerting.rules.timeliness }));
  api.use('/', usersRouter({ users, tokens, tree, audit, sessions, departments }));
  api.use('/', ingestKeysRouter({ ingestKeys, tokens, tree, audit }));
  api.use('/', auditRouter({ audit, tokens, tree }));
  app.use('/api/v1', api);
  app.use('/api', notFound);

  const geoDir = path.join(REPO, 'regions', config.regionRoot, 'geo');
  app.use('/geo', express.static(geoDir, { maxAge: '1d', fallthrough: false }));
  const staticDir = deps.staticDir ?? path.join(REPO, 'dist', 'client');
  if (fs.existsSync(staticDir)) {
    app.use(
      express.static(staticDir, {
        index: false,
        maxAge: '1h',
        // Walls poll version.json to learn of a new client (client/src/lib/version.ts): never cached.
        setHeaders: (res, file) => {
          const name = path.basename(file);
          if (name === 'version.json' || name === 'index.html') res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
    // The client routes by path (/, /login, /duty); every other GET gets the page.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.sendFile(path.join(staticDir, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
    });
  }
  app.use(notFound);
  app.use(errorHandler(logger));

  const httpServer = http.createServer(app);
  const io: IO = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    allowRequest: allowSocketRequest(origins),
    perMessageDeflate: false,
    connectionStateRecovery: undefined,
  });
  const adapterPub = connect('adapter-pub');
  const adapterSub = connect('adapter-sub');
  connections.push(adapterPub, adapterSub);
  io.adapter(createAdapter(adapterPub, adapterSub, { key: `${keys.prefix}socket.io` }));
  sessions.attach(io);

  const hubSub = connect('hub-sub');
  connections.push(hubSub);
  const hub = await startHub({
    io,
    subscriber: hubSub,
    noticeChannel: keys.notices,
    alertChannel: `${keys.prefix}alerts`,
    readSnapshot: snapshot,
    regionName: (c) => tree.get(c)?.name ?? c,
    clock,
    logger,
    metrics,
  });
  watch.tell((r) => hub.pipeline(r));
  wireSocketHandlers(io, { tokens, tree, hub, logger });
  io.on('connection', (s) => {
    metrics.sockets.inc();
    s.on('disconnect', () => metrics.sockets.dec());
  });

  // This loop's alerting serves requests (and the escalation timer); the rules run where events
  // are aggregated, on connections that wait for Redis however long it takes.
  const stopAlerting = alerting.start({ rules: false });
  let stopRules = async () => undefined as void;
  if (config.aggregator === 'inline') {
    const work = connect('aggregator-cmd');
    const blocking = connect('aggregator');
    connections.push(work, blocking);
    const workAlerts = alertsFromRules(
      { redis: work, keys, clock, audit: createAuditLog({ redis: work, prefix: keys.prefix, clock }) },
      rules,
    );
    const inline = setupAlerting({ redis: work, keys, clock, logger, tree, rules, alerts: workAlerts });
    stopRules = inline.start({ rules: true, escalation: false });
    const replay = new ReplayBase({
      redis: work,
      keys,
      owners: replayOwners(tree),
      openAlerts: () => workAlerts.list(config.regionRoot, 'open', REPLAY_BASE_ALERTS),
      logger,
    });
    aggregator = startPipeline({ redis: work, blocking, keys, clock, logger, metrics, after: inline.warnings, replay });
  } else if (config.aggregator === 'on') {
    thread = startAggregatorThread(
      {
        redis: deps.redis,
        regionRoot: config.regionRoot,
        logLevel: config.logLevel,
        prettyLog: process.stdout.isTTY === true,
      },
      logger,
    );
    aggregator = thread;
    await thread.started;
  }
  if (config.aggregator !== 'off') {
    const inboundConn = connect('inbound');
    connections.push(inboundConn);
    inbound = startInboundReader({ redis: inboundConn, keys, ingest, logger });
  }

  return {
    httpServer,
    app,
    io,
    redis,
    ingest,
    users,
    tokens,
    ingestKeys,
    audit,
    alerts: alerting.alerts,
    drained: () => streamDrained(redis, keys.events),
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    async close() {
      // Idle keep-alive connections would hold the HTTP server open; drop them once closing began.
      const closing = io.close();
      httpServer.closeAllConnections?.();
      await closing;
      watch.stop();
      await hub.stop();
      await stopAlerting();
      await stopRules();
      await aggregator?.stop();
      await inbound?.stop();
      await stopLoginFailures().catch((err: unknown) => logger.error({ err }, 'writing failed logins at close'));
      await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
