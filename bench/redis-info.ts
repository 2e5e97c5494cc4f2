import type { RedisClient } from '../server/redis/connection.ts';

/** Total commands Redis has executed (including those called from scripts), from INFO commandstats. */
export async function commandsExecuted(redis: RedisClient): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

export async function aofSetting(redis: RedisClient): Promise<string> {
  const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
  const [, fsync] = (await redis.config('GET', 'appendfsync')) as string[];
  return aof === 'yes' ? `AOF on, appendfsync ${fsync}` : 'AOF off';
}

/** CPU seconds (user + system) the Redis server has used so far. */
export async function redisCpuSeconds(r: RedisClient): Promise<number> {
  const info = await r.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}
