import type { RedisClient } from './connection.ts';
import { keyCheckPrelude, withKeyCheck } from './lua-key-check.ts';

/**
 * Every Lua script of the server, declared once and run only through runLua. The rule that makes
 * them safe on a Redis Cluster: a script touches only the keys it is given in KEYS, all of one
 * province's hash tag (one slot). Redis checks the slot; it cannot see a key built inside the
 * script from a prefix, which works on one node and breaks the day that key's slot moves. So
 * with PINGAN_LUA_KEYCHECK=1 (the test suite sets it) every script refuses, with an error naming
 * it, a key it was not given.
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
}

const registry = new Map<string, LuaScript>();
/** Scripts run in this thread, by name (the key-check test asks that each one ran). */
const runs = new Map<string, number>();

const KEY_CHECK = process.env.PINGAN_LUA_KEYCHECK === '1';

export function defineLua(name: string, source: string): LuaScript {
  if (registry.has(name)) throw new Error(`two Lua scripts named ${name}`);
  const script = { name, source };
  registry.set(name, script);
  return script;
}

/** Every script defined so far (those of the modules imported). */
export function luaScripts(): LuaScript[] {
  return [...registry.values()];
}

export function luaRuns(): ReadonlyMap<string, number> {
  return runs;
}

const commandName = (s: LuaScript) => `pinganLua_${s.name}`;

function define(target: RedisClient, s: LuaScript): void {
  const name = commandName(s);
  if (name in target) return;
  const lua = KEY_CHECK ? withKeyCheck(s.source, keyCheckPrelude(s.source)) : s.source;
  // EVALSHA with EVAL as the fallback (ioredis): a Redis that restarted, or a replica promoted
  // after a failover, has no script cache; nothing to load by hand, on the node that needs it.
  target.defineCommand(name, { lua });
}

/**
 * A script's KEYS built as its arguments name keys: each key once, `index` its 1-based position
 * (the scripts take key indexes in ARGV, so a key shared by many records travels once).
 */
export function luaKeys(first: readonly string[] = []): { keys: string[]; index: (key: string) => number } {
  const keys = [...first];
  const at = new Map(keys.map((k, i) => [k, i + 1]));
  return {
    keys,
    index(key) {
      let i = at.get(key);
      if (i === undefined) at.set(key, (i = keys.push(key)));
      return i;
    },
  };
}

/**
 * Runs `script` with `keys` as KEYS and `args` as ARGV. On a cluster the call goes to the node
 * of the first key's slot; Redis refuses keys of another slot (CROSSSLOT).
 */
export function runLua<T>(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number | Buffer)[],
): Promise<T> {
  if (!keys.length) throw new Error(`Lua script ${script.name} run without a key: it would have no slot`);
  define(redis, script);
  runs.set(script.name, (runs.get(script.name) ?? 0) + 1);
  const fn = (redis as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[commandName(script)]!;
  // ioredis flattens array arguments; spreading a batch's thousands of keys would be slower and
  // could blow the stack.
  return fn.call(redis, keys.length, keys, args);
}
