import type { RedisClient } from '../server/redis/connection.ts';

/** Total commands Redis has executed (including those called from scripts), from INFO commandstats. */
export async function commandsExecuted(redis: RedisClient): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

/** Calls and microseconds per command (scripts' inner commands counted too), from INFO commandstats. */
export async function commandStats(redis: RedisClient): Promise<Map<string, { calls: number; usec: number }>> {
  const info = await redis.info('commandstats');
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g))
    stats.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return stats;
}

/** The commands that took most of Redis's time between two commandStats, per event: "evalsha 40.1 µs × 1.0". */
export function topCommandsPerEvent(
  before: Map<string, { calls: number; usec: number }>,
  after: Map<string, { calls: number; usec: number }>,
  events: number,
  top = 8,
): string {
  return [...after]
    .map(([name, a]) => {
      const b = before.get(name) ?? { calls: 0, usec: 0 };
      return { name, usec: (a.usec - b.usec) / events, calls: (a.calls - b.calls) / events };
    })
    .filter((c) => c.calls > 0)
    .sort((x, y) => y.usec - x.usec)
    .slice(0, top)
    .map((c) => `${c.name} ${c.usec.toFixed(1)} µs × ${c.calls.toFixed(2)}`)
    .join(', ');
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
