import fs from 'node:fs';
import type { RedisClient } from '../redis/connection.ts';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');
const common = read('common.lua');

/** The alert scripts; each gets common.lua prepended (Redis Lua has no includes). */
const SOURCES = {
  pinganAlertRaise: `${common}\n${read('raise.lua')}`,
  pinganAlertTransition: `${common}\n${read('transition.lua')}`,
  pinganAlertRead: `${common}\n${read('read.lua')}`,
};

export type AlertScript = keyof typeof SOURCES;

/** EVALSHA with EVAL fallback (ioredis defineCommand); KEYS[1] pins the province's slot. */
export function runAlertScript<T>(
  redis: RedisClient,
  name: AlertScript,
  slotKey: string,
  args: (string | number)[],
): Promise<T> {
  if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua: SOURCES[name] });
  const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[name]!;
  return fn.call(redis, slotKey, ...args);
}
