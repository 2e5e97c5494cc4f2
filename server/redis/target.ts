import type { RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';
import { redisOptionsFromUrl } from './url.ts';

/**
 * Where Redis is: one node, or the seed nodes of a Redis Cluster (the client learns the rest).
 * Plain data, so it crosses to the aggregator thread as it is.
 */
export type RedisTarget =
  | { mode: 'single'; options: RedisOptions }
  | {
      mode: 'cluster';
      nodes: { host: string; port: number }[];
      /** Options of each node's connection (credentials, TLS, timeouts). */
      options: RedisOptions;
    };

/** A single node from its options (tests, the embedded Redis). */
export function singleNode(options: RedisOptions): RedisTarget {
  return { mode: 'single', options };
}

/**
 * The external Redis the configuration names: REDIS_CLUSTER_NODES (a cluster) or REDIS_URL, or
 * undefined when neither is set (the server starts its embedded Redis).
 */
export function targetFromConfig(config: Pick<Config, 'redisUrl' | 'redisClusterNodes'>): RedisTarget | undefined {
  if (config.redisClusterNodes?.length)
    // Commands wait through a failover instead of failing: nothing accepted is dropped.
    return { mode: 'cluster', nodes: config.redisClusterNodes, options: { maxRetriesPerRequest: null } };
  if (config.redisUrl) return singleNode(redisOptionsFromUrl(config.redisUrl));
  return undefined;
}
