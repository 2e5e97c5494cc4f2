import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';
import type { Logger } from '../log.ts';
import { LISTPACK_SETTINGS } from './embedded.ts';

/**
 * "An event answered 2xx is never lost" holds only if Redis has the event on disk before it
 * answers: AOF on and `appendfsync always`. The embedded Redis runs so; an external one is the
 * operator's, so at start we read its settings and say plainly when it keeps a weaker promise.
 * Resolves true when it keeps the promise, false when not, undefined when it will not say (CONFIG
 * renamed or forbidden, as on some managed services).
 */
export async function checkDurability(redis: RedisClient, logger: Logger): Promise<boolean | undefined> {
  if (!isCluster(redis)) return checkNode(redis, logger);
  // Every node, replicas too: a replica is promoted by a failover with the settings it has.
  let all: boolean | undefined = true;
  for (const node of redis.nodes('all')) {
    const ok = await checkNode(node, logger.child({ node: `${node.options.host}:${node.options.port}` }));
    if (ok === false) all = false;
    else if (ok === undefined && all) all = undefined;
  }
  return all;
}

async function checkNode(redis: Redis, logger: Logger): Promise<boolean | undefined> {
  let appendonly: string | undefined;
  let appendfsync: string | undefined;
  try {
    [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    [, appendfsync] = (await redis.config('GET', 'appendfsync')) as string[];
    // Not durability, but read with it: the memory plan (docs/capacity.md) holds only with these.
    for (const { name, value, why } of LISTPACK_SETTINGS) {
      const [, set] = (await redis.config('GET', name)) as string[];
      if (Number(set) < value) logger.warn({ [name]: Number(set) }, `${why} (docs/capacity.md); set ${name} ${value}`);
    }
  } catch (err) {
    logger.info(
      { err: (err as Error).message },
      'cannot read Redis persistence settings (CONFIG GET refused); make sure it runs appendonly yes, appendfsync always',
    );
    return undefined;
  }
  if (appendonly !== 'yes') {
    logger.warn(
      { appendonly, appendfsync },
      'Redis keeps no append-only file: events answered 2xx are lost when Redis restarts; set appendonly yes and appendfsync always',
    );
    return false;
  }
  if (appendfsync !== 'always') {
    logger.warn(
      { appendonly, appendfsync },
      'Redis does not fsync each write before answering: a host crash or power loss can lose events already answered 2xx; set appendfsync always',
    );
    return false;
  }
  return true;
}
