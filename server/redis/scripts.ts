import fs from 'node:fs';
import type { Redis } from 'ioredis';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');

/** Scripts by name. */
const SOURCES = {
  pinganIngest: read('ingest.lua'),
  pinganCommit: read('commit.lua'),
  pinganReapConsumers: read('reap-consumers.lua'),
  pinganReplayBase: read('replay-base.lua'),
};

export type ScriptName = keyof typeof SOURCES;

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
  // ioredis flattens an array argument; spreading a batch's ~100k arguments would blow the stack.
  return fn.call(redis, key, args);
}
