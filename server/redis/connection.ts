import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * A named Redis connection whose failures are logged, not left to ioredis's "Unhandled error
 * event" on stderr: once when the link breaks (ioredis retries on its own), once when it is back.
 */
export function openRedis(options: RedisOptions, name: string, logger: Logger): Redis {
  const client = new Redis({ ...options, connectionName: `pingan:${name}` });
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
  return client;
}

/**
 * Resolves once the connection is ready (connected, and done loading its data set). A server
 * starting against a Redis that is still loading a large AOF waits here, however long it takes,
 * rather than failing its first commands on the request-serving connections' timeout.
 */
export function connectionReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}
