import path from 'node:path';
import { z } from 'zod';
import { isRegionCode, levelOf, NATION } from '../shared/regions.ts';
import { HISTORY_DAYS } from './counters/retention.ts';
import { DEFAULT_REPLICA_WAIT_MS } from './redis/replication.ts';

const onOff = z.enum(['on', 'off']);

const hostPort = z.string().regex(/^[^:,\s]+:\d{1,5}$/, 'must be host:port pairs separated by commas');

/**
 * The configuration surface of DESIGN.md ("Outside surfaces"): every variable optional, each
 * validated at start with an error that names it.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .refine((v) => v === undefined || v.split(',').every((p) => hostPort.safeParse(p.trim()).success), {
      message: 'must be host:port pairs separated by commas',
    }),
  DATA_DIR: z.string().min(1).default('./data'),
  SIMULATOR: onOff.optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  INGEST_KEYS: z
    .string()
    .optional()
    .refine(
      (v) =>
        v === undefined ||
        v.split(',').every((pair) => /^[a-z0-9_.-]{1,64}:[A-Za-z0-9_\-]{16,256}$/i.test(pair.trim())),
      { message: 'must be source:key pairs separated by commas (key at least 16 characters)' },
    ),
  REGION_ROOT: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || (isRegionCode(v) && v.length === 2),
      'must be a 2-digit province code such as 62, or 00 for the whole country',
    ),
  /** A national deployment limited to these provinces (REGION_ROOT 00, or unset). */
  PROVINCES: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || v.split(',').every((p) => levelOf(p.trim()) === 'province'),
      'must be 2-digit province codes separated by commas, such as 62,44,11',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Simulator speed factor: 1 is real time. */
  SIMULATOR_SPEED: z.coerce.number().positive().max(10000).default(1),
  /** Days of recent history the simulator backfills on an empty database before it goes live (whole days within ingest's age limit). */
  SIMULATOR_BACKFILL_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(HISTORY_DAYS - 1)
    .default(3),
  /**
   * The simulated volume as a multiple of Gansu's (≈ 6,000 incidents and 2,227 disputes a day),
   * shared among the provinces served by their 2020 population; ≈ 56.3 is the whole country at
   * Gansu's rate per person.
   */
  SIMULATOR_SCALE: z.coerce.number().positive().max(100).default(1),
  /**
   * `on`: after going live, the simulator also backfills (once, in the background) the older days
   * back to the 1st of the last complete month, so that month has a whole 通报.
   */
  SIMULATOR_HISTORY: onOff.default('on'),
  /**
   * `on`: the aggregator runs in this process on a thread of its own; `inline`: on the server's
   * event loop (tests with a simulated clock); `off`: left to worker processes.
   */
  AGGREGATOR: z.enum(['on', 'inline', 'off']).default('on'),
  /** Allowed browser origins for CORS and the socket handshake, comma-separated. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** Failed logins per client IP and username per 15 minutes (0: no limit). */
  RATE_LIMIT_LOGIN: z.coerce.number().int().min(0).default(10),
  /** Failed logins per client IP per 15 minutes, whatever the usernames (0: no limit). */
  RATE_LIMIT_LOGIN_ADDRESS: z.coerce.number().int().min(0).default(50),
  /**
   * Which proxies in front of us may name the client's address (X-Forwarded-For), in Express's
   * `trust proxy` syntax: addresses, CIDRs or `loopback`; `false` (the default) trusts none.
   * Login rate limits key on that address, so trusting a proxy that is not there lets any client
   * on that address pick its own. `loopback` was the default: every process on the host could.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine(
      (v) =>
        v === 'false' ||
        v.split(',').every((p) => /^(loopback|linklocal|uniquelocal|[0-9a-f.:]+(\/\d{1,3})?)$/i.test(p.trim())),
      'must be false, loopback, linklocal, uniquelocal or IP addresses / CIDRs separated by commas',
    ),
  /** Ingest requests per ingest key per minute (0: no limit). */
  RATE_LIMIT_INGEST: z.coerce.number().int().min(0).default(600),
  /**
   * How long a request waits for Redis before it is answered 503 (ms). Only the connections that
   * serve requests have it; the aggregator and pub/sub wait for Redis as long as it takes.
   */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * With a replica (a Redis Cluster, or one Redis with replicas), ingest answers only once a
   * replica confirms the events (WAIT), so a failover cannot lose them; this long at most (ms),
   * then 503. 0 turns the wait off.
   */
  REDIS_REPLICA_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_REPLICA_WAIT_MS),
  /** The pipeline is `lagging` once its oldest unprocessed event is older than this (s). */
  PIPELINE_LAGGING_SECONDS: z.coerce.number().positive().max(86_400).default(5),
  /** … and `stalled` once older than this (s); must be more than PIPELINE_LAGGING_SECONDS. */
  PIPELINE_STALLED_SECONDS: z.coerce.number().positive().max(86_400).default(60),
  /** The chromium that renders the monthly 通报 as PDF (Debian's package, with fonts-noto-cjk for Chinese). */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** A wall that is up is forgotten this long (s) after its server last heard of it (a dead screen or process). */
  WALL_TTL_SECONDS: z.coerce.number().int().min(3).max(600).default(30),
  /**
   * Audit entries older than this many days leave Redis for segment files under DATA_DIR/audit/
   * (server/audit/archive.ts; `npm run audit:verify` checks both as one chain). 0: never. Set it on
   * one server of a deployment (the one whose DATA_DIR is backed up), 0 on the others.
   */
  AUDIT_ARCHIVE_DAYS: z.coerce.number().min(0).max(3650).default(90),
  /**
   * An open case older than this many days (from its earliest event) is 久拖 (stale): still open and
   * counted, flagged on the wall, in the snapshot and in the case list (docs/capacity.md).
   */
  STALE_CASE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Snapshot reads a server's hub runs at once (screens' refreshes and joins): more lets rooms
   * refresh sooner when Redis and the main thread have room, fewer keeps Redis for the aggregator.
   */
  SNAPSHOT_READS: z.coerce.number().int().min(1).max(256).default(8),
  /** How long walls follow an order (一键上墙) that names no `until` (min). */
  WALL_ORDER_MINUTES: z.coerce.number().positive().max(720).default(10),
  /**
   * Wall groups by name, `group:wall,wall;group:wall…`, e.g. `会商:主屏,左屏,右屏`: the first
   * wall named is the group's main wall. A wall's own `?group=` wins over this.
   */
  WALL_GROUPS: z
    .string()
    .optional()
    .refine(
      (v) =>
        v === undefined ||
        v
          .split(';')
          .every((g) => /^[\p{L}\p{N}_·-]{1,16}:[\p{L}\p{N}_·-]{1,16}(,[\p{L}\p{N}_·-]{1,16})*$/u.test(g.trim())),
      { message: 'must be group:wall,wall;group:wall… (names of 1–16 letters, digits, - _ ·)' },
    ),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  redisUrl: string | undefined;
  redisClusterNodes: { host: string; port: number }[] | undefined;
  /** Absolute. */
  dataDir: string;
  embeddedRedis: boolean;
  simulator: boolean;
  simulatorSpeed: number;
  simulatorBackfillDays: number;
  /** Every simulated rate times this (SIMULATOR_SCALE). */
  simulatorScale: number;
  /** Whether the simulator backfills the older days back to the last complete month's 1st. */
  simulatorHistory: boolean;
  adminPassword: string | undefined;
  ingestKeys: { source: string; key: string }[] | undefined;
  regionRoot: string;
  /** The provinces a national deployment serves; undefined: every generated one (or the root province). */
  provinces: string[] | undefined;
  logLevel: Env['LOG_LEVEL'];
  aggregator: 'on' | 'inline' | 'off';
  allowedOrigins: string[] | undefined;
  rateLimits: { loginFailures: number; loginFailuresPerAddress: number; ingestPerMinute: number };
  /** Express's `trust proxy`: false, or the proxies allowed to name the client's address. */
  trustProxy: string[] | false;
  redisCommandTimeoutMs: number;
  /** How long ingest waits for a replica to confirm a write (0: never). */
  replicaWaitMs: number;
  /** Audit entries older than this leave Redis for DATA_DIR/audit/ (ms; 0 never). */
  auditArchiveAfterMs: number;
  /** Open cases older than this (ms, from their earliest event) are flagged stale. */
  staleCaseMs: number;
  /** Snapshot reads a hub runs at once. */
  snapshotReads: number;
  /** Ages (s) of the oldest unprocessed event past which the pipeline is lagging, then stalled. */
  pipelineBounds: { laggingSeconds: number; stalledSeconds: number };
  /** Chromium for PDF rendering of the monthly 通报. */
  chromiumPath: string;
  walls: {
    ttlMs: number;
    orderMs: number;
    /** Wall name → its configured group, and whether it is that group's main wall. */
    groups: Map<string, { group: string; main: boolean }>;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`REDIS_URL= npm start`) means unset, as shells and compose files use it.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  if (e.PIPELINE_STALLED_SECONDS <= e.PIPELINE_LAGGING_SECONDS)
    throw new ConfigError(
      `invalid configuration:\n  PIPELINE_STALLED_SECONDS: must be more than PIPELINE_LAGGING_SECONDS (${e.PIPELINE_LAGGING_SECONDS})`,
    );
  const embeddedRedis = !e.REDIS_URL && !e.REDIS_CLUSTER_NODES;
  const provinces = e.PROVINCES ? [...new Set(e.PROVINCES.split(',').map((p) => p.trim()))].sort() : undefined;
  const regionRoot = e.REGION_ROOT ?? (provinces ? NATION : '62');
  if (provinces && regionRoot !== NATION)
    throw new ConfigError(`invalid configuration:\n  PROVINCES: needs REGION_ROOT=00 (or unset), not ${regionRoot}`);
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES?.split(',').map((p) => {
      const [host, port] = p.trim().split(':');
      return { host: host!, port: Number(port) };
    }),
    dataDir: path.resolve(e.DATA_DIR),
    embeddedRedis,
    simulator: (e.SIMULATOR ?? (embeddedRedis ? 'on' : 'off')) === 'on',
    simulatorSpeed: e.SIMULATOR_SPEED,
    simulatorBackfillDays: e.SIMULATOR_BACKFILL_DAYS,
    simulatorScale: e.SIMULATOR_SCALE,
    simulatorHistory: e.SIMULATOR_HISTORY === 'on',
    adminPassword: e.ADMIN_PASSWORD,
    ingestKeys: e.INGEST_KEYS?.split(',').map((pair) => {
      const [source, key] = pair.trim().split(':');
      return { source: source!, key: key! };
    }),
    regionRoot,
    provinces,
    logLevel: e.LOG_LEVEL,
    aggregator: e.AGGREGATOR,
    allowedOrigins: e.ALLOWED_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    chromiumPath: e.CHROMIUM_PATH,
    rateLimits: {
      loginFailures: e.RATE_LIMIT_LOGIN,
      loginFailuresPerAddress: e.RATE_LIMIT_LOGIN_ADDRESS,
      ingestPerMinute: e.RATE_LIMIT_INGEST,
    },
    trustProxy: e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY.split(',').map((p) => p.trim()),
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    replicaWaitMs: e.REDIS_REPLICA_WAIT_MS,
    auditArchiveAfterMs: e.AUDIT_ARCHIVE_DAYS * 86_400_000,
    staleCaseMs: e.STALE_CASE_DAYS * 86_400_000,
    snapshotReads: e.SNAPSHOT_READS,
    pipelineBounds: { laggingSeconds: e.PIPELINE_LAGGING_SECONDS, stalledSeconds: e.PIPELINE_STALLED_SECONDS },
    walls: {
      ttlMs: e.WALL_TTL_SECONDS * 1000,
      orderMs: Math.round(e.WALL_ORDER_MINUTES * 60_000),
      groups: wallGroups(e.WALL_GROUPS),
    },
  };
}

function wallGroups(spec: string | undefined): Map<string, { group: string; main: boolean }> {
  const out = new Map<string, { group: string; main: boolean }>();
  for (const g of spec?.split(';') ?? []) {
    const [group, names] = g.trim().split(':') as [string, string];
    names.split(',').forEach((name, i) => out.set(name, { group, main: i === 0 }));
  }
  return out;
}
