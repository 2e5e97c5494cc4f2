import type { RedisOptions } from 'ioredis';

/** ioredis options from a `redis://user:pass@host:port/db` (or rediss://) URL. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    db: Number(u.pathname.slice(1) || 0),
    // Commands wait through a Redis restart instead of failing: nothing accepted is dropped.
    maxRetriesPerRequest: null,
  };
}
