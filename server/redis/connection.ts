import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';
import type { RedisTarget } from './target.ts';

/**
 * What every module holds: a single-node connection or a Redis Cluster client. Both speak the
 * same commands; what differs (routing by slot, SCAN per node, sharded pub/sub, WAIT on the
 * right node) is handled in server/redis/ and nowhere else.
 */
export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

export interface OpenOptions {
  /** A request-serving connection gives up on a command after this long (ms). */
  commandTimeout?: number;
  /**
   * A connection that will (S)SUBSCRIBE: on a cluster it keeps one subscriber per master, so each
   * sharded channel is heard from the node that owns its slot.
   */
  subscriber?: boolean;
}

/**
 * How long a cluster client waits between tries while a master is replaced: with the default 16
 * redirections this rides out a failover of a few seconds (cluster-node-timeout plus election)
 * instead of failing the command after 1.6 s.
 */
const FAILOVER_RETRY_MS = 300;

/**
 * A named Redis connection whose failures are logged, not left to ioredis's "Unhandled error
 * event" on stderr: once when the link breaks (ioredis retries on its own), once when it is back.
 */
export function openRedis(target: RedisTarget, name: string, logger: Logger, open: OpenOptions = {}): RedisClient {
  const connectionName = `pingan:${name}`;
  const timeout = open.commandTimeout ? { commandTimeout: open.commandTimeout } : {};
  const client: RedisClient =
    target.mode === 'single'
      ? new Redis({ ...target.options, ...timeout, connectionName })
      : new Cluster(target.nodes, clusterOptions(target.options, { ...timeout, connectionName }, open));
  let down = false;
  let lastError: string | undefined;
  // Each failed attempt emits an error; what matters is that the link is down, said once.
  client.on('error', (err: Error) => {
    lastError = err.message;
  });
  client.on('reconnecting', () => {
    if (down) return;
    down = true;
    logger.warn({ connection: name, err: lastError }, 'Redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    lastError = undefined;
    logger.info({ connection: name }, 'Redis connection back');
  });
  if (target.mode === 'cluster') {
    // A node lost is the cluster's business (a replica takes over, the client follows the new
    // slots): each failed try is logged at debug only; what it costs (503s, retried batches) is
    // logged where it happens.
    client.on('node error', (err: Error, node: string) =>
      logger.debug({ connection: name, node, err: err.message }, 'Redis Cluster node error'),
    );
  }
  return client;
}

function clusterOptions(options: RedisOptions, own: RedisOptions, open: OpenOptions): ClusterOptions {
  const { maxRetriesPerRequest, ...perNode } = options;
  return {
    redisOptions: { ...perNode, ...own, maxRetriesPerRequest },
    // A connection that serves requests gives up within seconds (the request is answered 503); the
    // aggregator's and the subscribers' wait for a failover to end, as they wait for one Redis to
    // come back (about a minute of tries).
    maxRedirections: open.commandTimeout ? 16 : 200,
    retryDelayOnFailover: FAILOVER_RETRY_MS,
    retryDelayOnClusterDown: FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: FAILOVER_RETRY_MS,
    // The slot map is read again on every MOVED and on a lost node anyway; this only bounds how
    // long a quiet process keeps a stale map (a new replica, a reshard).
    slotsRefreshInterval: 2000,
    ...(open.subscriber ? { shardedSubscribers: true } : {}),
  };
}

/**
 * Resolves once the connection is ready (connected, and done loading its data set). A server
 * starting against a Redis that is still loading a large AOF waits here, however long it takes,
 * rather than failing its first commands on the request-serving connections' timeout.
 */
export function connectionReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

/** Closes a connection politely, or drops it if Redis does not answer. */
export async function closeRedis(client: RedisClient): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
