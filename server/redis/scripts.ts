import fs from 'node:fs';
import type { Redis } from 'ioredis';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');

/** Scripts by name; apply and sweep share common.lua (prepended, Lua has no includes here). */
const SOURCES = {
  pinganIngest: read('ingest.lua'),
  pinganApply: `${read('common.lua')}\n${read('apply.lua')}`,
  pinganSweep: `${read('common.lua')}\n${read('sweep.lua')}`,
};

export type ScriptName = keyof typeof SOURCES;

/** Raw reply of apply.lua and sweep.lua: touched regions, then codes or changed cases. */
export type ApplyReply = [string[], string];
export type SweepReply = [string[], string[]];

/**
 * Scripts run through EVALSHA with an automatic EVAL fallback (ioredis defineCommand), so a
 * restarted Redis that lost its script cache needs nothing from us. KEYS[1] is always the
 * events stream: it pins the call to the province's cluster slot.
 */
export function defineScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SOURCES)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
}

export function runScript<T>(redis: Redis, name: ScriptName, key: string, args: (string | number)[]): Promise<T> {
  defineScripts(redis);
  const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[name]!;
  return fn.call(redis, key, ...args);
}
