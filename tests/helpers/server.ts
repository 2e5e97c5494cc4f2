import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createServer, type PinganServer } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import type { ProblemSource } from '../../server/assessment/problem-source.ts';
import type { LoginReply } from '../../shared/schemas/user.ts';
import type { Role } from '../../shared/schemas/user.ts';
import { startTestRedis, type TestRedis } from './redis.ts';
import type { TestCluster } from './redis-cluster.ts';
import { singleNode } from '../../server/redis/target.ts';

export interface TestServer {
  url: string;
  port: number;
  server: PinganServer;
  /** The single Redis it runs on (a server started on a cluster has none: see `cluster`). */
  redis: TestRedis;
  /** The Redis Cluster it runs on, when started with one. */
  cluster: TestCluster | undefined;
  tree: RegionTree;
  ingestKey: string;
  adminPassword: string;
  /** Logs in and returns the token. */
  login(username: string, password: string): Promise<string>;
  /** Creates a user through the admin API and returns a token for it. */
  userToken(username: string, role: Role, region: string): Promise<string>;
  postEvents(events: unknown[]): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

let treePromise: Promise<RegionTree> | undefined;

/**
 * The real server on a free port against a real redis-server on another free port; the aggregator
 * runs inside it as in production. Pass `redis` to share one Redis between several servers, or
 * `cluster` to run on a Redis Cluster (tests/helpers/redis-cluster.ts; the caller stops it).
 */
export async function startTestServer(
  opts: {
    redis?: TestRedis;
    cluster?: TestCluster;
    clock?: Clock;
    env?: Record<string, string>;
    staticDir?: string;
    problems?: ProblemSource;
    /** Another tree than Gansu's (a national one: its root is then the config's REGION_ROOT). */
    tree?: RegionTree;
  } = {},
): Promise<TestServer> {
  const redis = opts.cluster ? undefined : (opts.redis ?? (await startTestRedis()));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-data-'));
  const ingestKey = 'test_ingest_key_0123456789abcdef';
  const adminPassword = 'admin-password-for-tests';
  const config = loadConfig({
    DATA_DIR: dataDir,
    ...(redis
      ? { REDIS_URL: `redis://127.0.0.1:${redis.options.port}` }
      : { REDIS_CLUSTER_NODES: opts.cluster!.nodesEnv }),
    INGEST_KEYS: `test:${ingestKey}`,
    ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // A simulated clock lives on this thread: the aggregator must too.
    ...(opts.clock ? { AGGREGATOR: 'inline' } : {}),
    ...(opts.tree ? { REGION_ROOT: opts.tree.root } : {}),
    ...opts.env,
  });
  const tree = opts.tree ?? (await (treePromise ??= loadRegionTree('62')));
  const server = await createServer({
    config,
    redis: redis ? singleNode(redis.options) : opts.cluster!.target,
    tree,
    logger: createLogger(config.logLevel, false),
    secrets: { demoIngestKey: ingestKey },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.staticDir ? { staticDir: opts.staticDir } : {}),
    ...(opts.problems ? { problems: opts.problems } : {}),
  });
  const port = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  if (!(await server.users.exists('admin'))) {
    await server.users.create({ username: 'admin', password: adminPassword, role: 'admin', region: tree.root });
  }
  const login = async (username: string, password: string) => {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as LoginReply).token;
  };
  return {
    url,
    port,
    server,
    get redis(): TestRedis {
      if (!redis) throw new Error('this test server runs on a Redis Cluster: use its `cluster`');
      return redis;
    },
    cluster: opts.cluster,
    tree,
    ingestKey,
    adminPassword,
    login,
    async userToken(username, role, region) {
      const password = `pw-${username}-12345`;
      if (!(await server.users.exists(username))) await server.users.create({ username, password, role, region });
      return login(username, password);
    },
    async postEvents(events) {
      const res = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await server.close();
      if (redis && !opts.redis) await redis.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
