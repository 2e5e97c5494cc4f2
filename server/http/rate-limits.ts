import type { Cluster } from 'ioredis';
import { connectionReady, isCluster, type RedisClient } from '../redis/connection.ts';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { HttpError } from './errors.ts';

export interface RateLimits {
  /** Failed logins per IP and username per 15 minutes; 0 turns the limit off. */
  loginFailures: number;
  /** Failed logins per IP per 15 minutes, whatever the usernames; 0 turns the limit off. */
  loginFailuresPerAddress: number;
  /** Ingest requests per key per minute; 0 turns the limit off. */
  ingestPerMinute: number;
}

/**
 * Enough for a wall room behind one NAT whose staff mistype, too few to guess a password (or to
 * spray one over many names); enough for a department's system sending a batch every 100 ms.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { loginFailures: 10, loginFailuresPerAddress: 50, ingestPerMinute: 600 };

const off: RequestHandler = (_req, _res, next) => next();

/**
 * rate-limit-redis on a cluster: it loads its scripts with SCRIPT LOAD, which names no key, so
 * ioredis would send it to any node, and runs them with EVALSHA on the node of the counter's key:
 * NOSCRIPT forever. A script is loaded on every master instead (a replica promoted by a failover
 * has no script cache: the library's NOSCRIPT retry loads it again, on the masters of that day);
 * everything else carries its key and is routed by it.
 */
function clusterCommand(redis: Cluster): (c: { command: string[] }) => Promise<RedisReply> {
  return async ({ command }) => {
    const [name, ...args] = command;
    if (name?.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD') {
      // The library loads its scripts as the limiter is built: before the client is ready it
      // knows no masters, and the load would go nowhere (every request then answered 500).
      await connectionReady(redis);
      const shas = await Promise.all(redis.nodes('master').map((n) => n.call('SCRIPT', ...args)));
      return shas[0] as RedisReply;
    }
    return redis.call(name!, ...args) as Promise<RedisReply>;
  };
}

/** Counters live in Redis, so several server processes share one budget per client. */
function limiter(
  redis: RedisClient,
  prefix: string,
  opts: {
    windowMs: number;
    limit: number;
    key: (req: Parameters<RequestHandler>[0]) => string;
    failedOnly?: boolean;
    what: string;
  },
): RequestHandler {
  if (opts.limit <= 0) return off;
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: opts.failedOnly ?? false,
    keyGenerator: opts.key,
    store: new RedisStore(
      isCluster(redis)
        ? { prefix, sendCommandCluster: clusterCommand(redis) }
        : {
            prefix,
            sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
          },
    ),
    handler: (_req, res, next) => {
      const retry = res.getHeader('Retry-After');
      next(
        new HttpError(
          429,
          'rate_limited',
          `too many ${opts.what}; try again${retry ? ` in ${String(retry)} s` : ' later'}`,
        ),
      );
    },
  });
}

/**
 * Failed logins per client IP and username (after the JSON body is read), and per IP alone with a
 * larger budget: keyed on the name only, a client trying one password on many names was never
 * held back.
 */
export function loginLimiter(redis: RedisClient, prefix: string, limits: RateLimits): RequestHandler {
  const perAddress = limiter(redis, `${prefix}rl:login-ip:`, {
    windowMs: 15 * 60_000,
    limit: limits.loginFailuresPerAddress,
    failedOnly: true,
    what: 'failed logins from this address',
    key: (req) => ipKeyGenerator(req.ip ?? ''),
  });
  const perName = limiter(redis, `${prefix}rl:login:`, {
    windowMs: 15 * 60_000,
    limit: limits.loginFailures,
    failedOnly: true,
    what: 'failed logins',
    key: (req) => {
      const name = (req.body as { username?: unknown } | undefined)?.username;
      return `${ipKeyGenerator(req.ip ?? '')}|${typeof name === 'string' ? name.toLowerCase().slice(0, 64) : ''}`;
    },
  });
  return (req, res, next) => {
    void perAddress(req, res, (err?: unknown) => (err ? next(err) : perName(req, res, next)));
  };
}

/** Per ingest key (its id, set by the authentication step before this runs). */
export function ingestLimiter(redis: RedisClient, prefix: string, limits: RateLimits): RequestHandler {
  return limiter(redis, `${prefix}rl:ingest:`, {
    windowMs: 60_000,
    limit: limits.ingestPerMinute,
    what: 'ingest requests for this key',
    key: (req) => String(req.res?.locals.ingestKeyId ?? ipKeyGenerator(req.ip ?? '')),
  });
}
