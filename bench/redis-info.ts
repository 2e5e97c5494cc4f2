import type { Redis } from 'ioredis';

/** Total commands Redis has executed (including those called from scripts), from INFO commandstats. */
export async function commandsExecuted(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

export async function aofSetting(redis: Redis): Promise<string> {
  const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
  const [, fsync] = (await redis.config('GET', 'appendfsync')) as string[];
  return aof === 'yes' ? `AOF on, appendfsync ${fsync}` : 'AOF off';
}
