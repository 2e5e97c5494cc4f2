import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { closeRedis, connectionReady, isCluster, openRedis, type RedisClient } from './redis/connection.ts';
import type { RedisTarget } from './redis/target.ts';
import { Server } from 'socket.io';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { RegionTree } from './regions/tree.ts';
import { sharedTokenSecret, type Secrets } from './secrets.ts';
import { systemClock, type Clock } from './clock.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createKeyRing } from './redis/keys.ts';
import { createIngest, type Ingest } from './ingest/ingest.ts';
import { ingestRouter } from './http/routes/ingest.ts';
import { startInboundReader } from './ingest/inbound.ts';
import { IngestKeys, ingestKeysHash } from './auth/ingest-keys.ts';
import { Users } from './auth/users.ts';
import { Tokens } from './auth/tokens.ts';
import type { Aggregator } from './aggregate/consumer.ts';
import { readGroupLag, streamDrained } from './aggregate/group.ts';
import type { Alerts } from './alerts/service.ts';
import { startAggregatorThread, type AggregatorThread } from './aggregator/thread-start.ts';
import { startAggregatorRuntime } from './aggregator/runtime.ts';
import { readSnapshot, type SnapshotReuse } from './aggregate/snapshot.ts';
import { countStale } from './aggregate/stale-cases.ts';
import { countiesUnder } from './aggregate/case-index.ts';
import { localCases, type CaseListDeps } from './aggregate/case-list.ts';
import { casesRouter } from './http/routes/cases.ts';
import { startHub, type IO } from './realtime/hub.ts';
import { preEncodingParser } from './realtime/pre-encoded.ts';
import { startLagWatch } from './aggregate/lag-watch.ts';
import { healthRouter } from './http/routes/health.ts';
import { wireSocketHandlers } from './realtime/handlers.ts';
import { authRouter } from './http/routes/auth.ts';
import { regionsRouter } from './http/routes/regions.ts';
import { replayRouter } from './http/routes/replay.ts';
import { replayEvents, replaySnapshot } from './replay/read.ts';
import { usersRouter } from './http/routes/users.ts';
import { ingestKeysRouter } from './http/routes/ingest-keys.ts';
import { auditRouter } from './http/routes/audit.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { openApiDocument } from './http/openapi/document.ts';
import { alertsRouter } from './http/routes/alerts.ts';
import { safetyIndexRouter } from './http/routes/safety-index.ts';
import { timelinessRouter } from './http/routes/timeliness.ts';
import { SafetyIndex } from './safety-index/service.ts';
import { Assessment } from './assessment/service.ts';
import { startMonthlyFreeze, type MonthlyFreeze } from './assessment/monthly-freeze.ts';
import { HistoryFill } from './history-fill.ts';
import type { ProblemSource } from './assessment/problem-source.ts';
import { assessmentRouter } from './http/routes/assessment.ts';
import { reportsRouter } from './http/routes/reports.ts';
import { createPdfRenderer } from './reports/pdf.ts';
import { setupAlerting } from './warnings/setup.ts';
import { loadRulesConfig, reportLimitMs, type WarningsConfig } from './warnings/config.ts';
import { alertsFromRules } from './alerts/service.ts';
import { LocalAlertFeed } from './alerts/local-feed.ts';
import { createDepartmentRegistry, type DepartmentRegistry } from './departments/registry.ts';
import { departmentsRouter } from './http/routes/departments.ts';
import { problemsRouter } from './http/routes/problems.ts';
import { createProblems, type Problems } from './problems/service.ts';
import { startOverdueSweep } from './problems/overdue-sweep.ts';
import { problemsOfMonthFrom } from './problems/month.ts';
import { createAuditLog, type AuditLog } from './audit/log.ts';
import { startAuditArchiver } from './audit/archive.ts';
import { createLoginFailures } from './audit/login-failures.ts';
import { createHashGate } from './auth/hash-gate.ts';
import { createSessionEnder } from './realtime/sessions.ts';
import { allowSocketRequest, corsGuard, originPolicy } from './http/origins.ts';
import { securityHeaders } from './http/security.ts';
import { ingestLimiter, loginLimiter } from './http/rate-limits.ts';
import { apiJson, rejectUnsafeJson } from './http/safe-json.ts';
import { createWallRegistry } from './walls/registry.ts';
import { createWallOrders } from './walls/orders.ts';
import { wallsRouter } from './http/routes/walls.ts';
import { wireWallSockets } from './realtime/walls.ts';

export interface ServerDeps {
  config: Config;
  /** Where Redis is (one node or a cluster); the server opens the connections it needs (commands, blocking, pub/sub). */
  redis: RedisTarget;
  tree: RegionTree;
  logger: Logger;
  secrets: Secrets;
  clock?: Clock;
  /** The registry /metrics serves, when the entry point has metrics of its own (the embedded Redis). */
  metrics?: Metrics;
  /** Built client to serve; defaults to dist/client when it exists. */
  staticDir?: string;
  /** The 重点问题 register's reader for the assessment and the 通报; absent: 重点问题台账未启用. */
  problems?: ProblemSource;
}

export interface PinganServer {
  httpServer: http.Server;
  /** The Express application (tests read its routes to check every one is authorized). */
  app: express.Express;
  io: IO;
  redis: RedisClient;
  ingest: Ingest;
  users: Users;
  tokens: Tokens;
  ingestKeys: IngestKeys;
  /** The tamper-evident trail: logins, admin actions, alert actions. */
  audit: AuditLog;
  alerts: Alerts;
  /** The 重点问题 register (降星销号). */
  problems: Problems;
  /** 督办考核 (server/assessment/). */
  assessment: Assessment;
  /** The 平安指数 (server/safety-index/). */
  safetyIndex: SafetyIndex;
  /** The department registry (the simulator's desks dispatch its history's alerts to them). */
  departments: DepartmentRegistry;
  /** The validated rules file (sign, report-in and 办结 limits). */
  rules: WarningsConfig;
  /** The timer that freezes the month before at 00:05 on the 1st (tests call its tick). */
  monthlyFreeze: MonthlyFreeze;
  /** Whether the aggregators have applied everything in the events stream. */
  drained(): Promise<boolean>;
  /** Entries of the events stream the aggregators have still to apply (undelivered and pending). */
  backlog(): Promise<number>;
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
  // One set of users, secrets and audit trail under the root's keys (`{00}` for the nation); what
  // is written per event under each province's own.
  const ring = createKeyRing(config.regionRoot, tree.provinces);
  const keys = ring.root;
  const connect = (name: string) => openRedis(deps.redis, name, logger);
  // Connections that serve requests give up on Redis after a bound, so a request is answered 503
  // instead of hanging while Redis is down or frozen. A command that timed out may still run
  // when Redis comes back: ingest dedupes by event id, so a resent batch counts it as a duplicate.
  const serving = (name: string) =>
    openRedis(deps.redis, name, logger, { commandTimeout: config.redisCommandTimeoutMs });
  const redis = serving('cmd');
  await connectionReady(redis);
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
  const stopAuditArchiver =
    config.auditArchiveAfterMs > 0
      ? startAuditArchiver({
          redis,
          prefix: keys.prefix,
          clock,
          dir: path.join(config.dataDir, 'audit'),
          olderThanMs: config.auditArchiveAfterMs,
          logger,
        })
      : async () => undefined;
  const loginFailures = createLoginFailures({ redis, prefix: keys.prefix, audit, clock, logger });
  const stopLoginFailures = loginFailures.start();
  const sessions = createSessionEnder();
  const origins = originPolicy(config.allowedOrigins);
  // The composition root builds the alerts service and hands the same one to the rules' timers and the routes.
  const rules = loadRulesConfig();
  // What the alerts services here publish reaches this process's hub at once (server/alerts/local-feed.ts).
  const localAlerts = new LocalAlertFeed();
  const alerts = alertsFromRules({ redis, keys, clock, audit, local: localAlerts }, rules);
  const alerting = setupAlerting({ redis, keys, clock, logger, tree, rules, alerts });
  // A 命案 marker's red alert is raised beside its event's append, on a connection of its own (on
  // the shared one it would queue behind the hub's snapshot reads); the aggregator checks it again.
  const raiseRedis = serving('alerts-at-once');
  connections.push(raiseRedis);
  const atOnce = setupAlerting({
    redis: raiseRedis,
    keys,
    clock,
    logger,
    tree,
    rules,
    alerts: alertsFromRules({ redis: raiseRedis, keys, clock, audit, local: localAlerts }, rules),
  }).warnings;
  /** The hook's checks under way: a closing server waits for them before closing their connection. */
  const checking = new Set<Promise<void>>();
  // Appends have a connection of their own: on the shared one an event (and its alert) would queue
  // behind the hub's snapshot reads.
  const appendRedis = serving('ingest');
  connections.push(appendRedis);
  const ingest = createIngest({
    redis: appendRedis,
    keys: ring,
    clock,
    metrics,
    hasRegion: (c) => tree.has(c),
    replicaWaitMs: config.replicaWaitMs,
    onAccepted: (events) => {
      const check = atOnce
        .atOnce(events, true)
        .catch((err: unknown) => logger.error({ err }, 'immediate warning checks failed'))
        .finally(() => checking.delete(check));
      checking.add(check);
    },
  });
  const departments = createDepartmentRegistry({ redis, prefix: keys.prefix });
  const problems = createProblems({ redis, keys, clock, departments, audit });
  // A month a backfill is still filling is neither frozen nor published (server/history-fill.ts).
  const historyFill = new HistoryFill(redis, keys.historyFill);
  const index = new SafetyIndex({ redis, keys: ring, tree, clock, historyFill });
  const assessment = new Assessment({
    historyFill,
    redis,
    keys: ring,
    tree,
    clock,
    alerts: alerting.alerts,
    departments,
    rules,
    problems: deps.problems ?? problemsOfMonthFrom({ store: problems.store, clock }),
  });
  const monthlyFreeze = startMonthlyFreeze({
    redis,
    keys,
    clock,
    logger,
    async freeze(month) {
      if (!(await assessment.hasData(month)) || (await historyFill.filling(month))) return false;
      await assessment.freezeMonth(month);
      index.forget();
      await index.publishMonth(month);
      return true;
    },
  });
  const counties = countiesUnder(tree);
  const caseList: CaseListDeps = {
    redis,
    keys: ring,
    regionName: (c) => tree.get(c)?.name,
    counties,
    staleBefore: () => clock.now() - config.staleCaseMs,
  };
  const wallRegistry = createWallRegistry({ redis, keys, clock, ttlMs: config.walls.ttlMs });
  const wallOrders = createWallOrders({
    redis,
    keys,
    clock,
    registry: wallRegistry,
    audit,
    hasRegion: (c) => tree.has(c),
    alertRegion: async (id) => (await alerting.alerts.store.view(id))?.region,
    problemRegion: async (id) => (await problems.get(id))?.region,
    defaultMs: config.walls.orderMs,
    maxMs: 12 * 3_600_000,
  });
  const snapshot = (code: string, reuse?: SnapshotReuse) =>
    readSnapshot(
      {
        redis,
        keys: ring,
        region: (c) => tree.info(c),
        alerts: (c, kids) => alerting.alerts.digest(c, kids),
        problems: (c, kids) => problems.digest(c, kids),
        cases: (c, now) => localCases(caseList, c, now),
        stale: (c, now) => countStale(redis, ring, c, now, config.staleCaseMs, counties),
      },
      code,
      clock.now(),
      reuse,
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
    stream: ring.provinces.map((p) => ring.of(p).events),
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
  // The ingest budget's counter is read on the appends' connection too: on the shared one every
  // POST (and the red alert in it) waited behind the hub's snapshot reads before its body was read.
  api.use(
    '/',
    ingestRouter({ ingest, ingestKeys, limiter: ingestLimiter(appendRedis, keys.prefix, config.rateLimits) }),
  );
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
    // Each province's replay records under its own keys; the alert views under the root's.
    keys: ring,
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
  api.use('/', departmentsRouter({ departments, alerts, problems, tokens, tree }));
  api.use('/', problemsRouter({ problems, departments, tokens, tree }));
  api.use('/', safetyIndexRouter({ tree, tokens, index }));
  api.use('/', assessmentRouter({ tree, tokens, assessment }));
  api.use(
    '/',
    reportsRouter({
      tree,
      tokens,
      report: { redis, keys: ring, tree, assessment, index, now: () => clock.now() },
      pdf: createPdfRenderer({ executablePath: config.chromiumPath }),
    }),
  );
  api.use('/', casesRouter({ tree, tokens, clock, cases: caseList }));
  api.use('/', timelinessRouter({ tree, tokens, redis, keys: ring, clock, config: alerting.rules.timeliness }));
  api.use('/', usersRouter({ users, tokens, tree, audit, sessions, departments }));
  api.use('/', ingestKeysRouter({ ingestKeys, tokens, tree, audit }));
  api.use('/', auditRouter({ audit, tokens, tree }));
  api.use('/', wallsRouter({ tokens, orders: wallOrders }));
  app.use('/api/v1', api);
  app.use('/api', notFound);

  // A region's children's boundaries, from the nation's or its province's folder: static files like the
  // client's bundle (middleware, not an API route).
  app.use('/geo', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = /^\/(\d{2,6})\.json$/.exec(req.path)?.[1];
    const found = file ? tree.mapFile(file) : undefined;
    if (!found) return next();
    res.sendFile(found, { maxAge: '1d' });
  });
  app.use('/geo', notFound);
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
    // A snapshot shared by the screens joining a room together is written as JSON once for all.
    parser: preEncodingParser,
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    allowRequest: allowSocketRequest(origins),
    perMessageDeflate: false,
    connectionStateRecovery: undefined,
  });
  const adapterPub = connect('adapter-pub');
  const adapterSub = openRedis(deps.redis, 'adapter-sub', logger, { subscriber: true });
  connections.push(adapterPub, adapterSub);
  io.adapter(
    isCluster(adapterPub)
      ? // Sharded pub/sub on a cluster; channels under the province's hash tag live on its node, in
        // order on one connection (a session's end, then its disconnect). Static: the adapter only
        // carries session ends, rare enough for every server to hear them all.
        createShardedAdapter(adapterPub, adapterSub, { channelPrefix: `${keys.prefix}sio`, subscriptionMode: 'static' })
      : createAdapter(adapterPub, adapterSub, { key: `${keys.prefix}socket.io` }),
  );
  sessions.attach(io);

  const hubSub = openRedis(deps.redis, 'hub-sub', logger, { subscriber: true });
  connections.push(hubSub);
  const hub = await startHub({
    io,
    subscriber: hubSub,
    // Each province's counts, and the deployment's alerts (their change notices on the root's channel).
    noticeChannels: [...new Set([keys.notices, ...ring.provinces.map((p) => ring.of(p).notices)])],
    alertChannel: `${keys.prefix}alerts`,
    localAlerts,
    problemChannel: keys.problems.channel,
    wallChannel: keys.wallPush,
    readSnapshot: snapshot,
    maxConcurrentReads: config.snapshotReads,
    regionName: (c) => tree.get(c)?.name ?? c,
    clock,
    logger,
    metrics,
  });
  watch.tell((r) => hub.pipeline(r));
  const wallSockets = wireWallSockets(io, {
    registry: wallRegistry,
    orders: wallOrders,
    tree,
    clock,
    logger,
    groups: config.walls.groups,
  });
  wireSocketHandlers(io, { tokens, tree, hub, logger, onSubscribed: (s, code) => wallSockets.showing(s, code) });
  io.on('connection', (s) => {
    metrics.sockets.inc();
    s.on('disconnect', () => metrics.sockets.dec());
  });

  // This loop's alerting serves requests (and the escalation timer); the rules run where events
  // are aggregated, on connections that wait for Redis however long it takes.
  const stopAlerting = alerting.start({ rules: false });
  const overdueSweep = startOverdueSweep({ problems, logger });
  if (config.aggregator === 'inline') {
    // The thread's runtime on this event loop (and this clock): one pipeline per province served.
    aggregator = startAggregatorRuntime({
      redis: deps.redis,
      regionRoot: config.regionRoot,
      tree,
      clock,
      logger,
      metrics,
      escalation: false,
    });
  } else if (config.aggregator === 'on') {
    thread = startAggregatorThread(
      {
        redis: deps.redis,
        regionRoot: config.regionRoot,
        provinces: tree.provinces,
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
    problems,
    assessment,
    safetyIndex: index,
    departments,
    rules,
    monthlyFreeze,
    drained: async () =>
      (await Promise.all(ring.provinces.map((p) => streamDrained(redis, ring.of(p).events)))).every(Boolean),
    backlog: async () => {
      const lags = await Promise.all(ring.provinces.map((p) => readGroupLag(redis, ring.of(p).events)));
      return lags.reduce((n, lag) => n + lag.undelivered + lag.pending, 0);
    },
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
      await monthlyFreeze.stop();
      wallSockets.stop();
      await hub.stop();
      await stopAlerting();
      await overdueSweep.stop();
      await aggregator?.stop();
      await inbound?.stop();
      await Promise.all(checking);
      await stopAuditArchiver();
      await stopLoginFailures().catch((err: unknown) => logger.error({ err }, 'writing failed logins at close'));
      await Promise.all(connections.map(closeRedis));
    },
  };
}
