import { createRequire } from 'node:module';

/**
 * The key check of server/redis/lua.ts (on with PINGAN_LUA_KEYCHECK=1): a script's redis.call and
 * redis.pcall go through a checker that refuses a key argument not in KEYS. Which arguments are
 * keys comes from the key specs ioredis routes commands by (@ioredis/commands: first key, last
 * key, step, per subcommand).
 */

interface Spec {
  keyStart: number;
  keyStop: number;
  step: number;
  subcommands?: Record<string, Spec>;
}

const specs = createRequire(import.meta.url)('@ioredis/commands/built/commands.json') as Record<string, Spec>;

const CALL = /redis\.p?call\(\s*['"]([A-Za-z]+)['"]/g;

function luaSpec(s: Spec): string {
  const sub = s.subcommands
    ? `, sub = {${Object.entries(s.subcommands)
        .map(([name, v]) => `['${name}'] = ${luaSpec(v)}`)
        .join(', ')}}`
    : '';
  return `{${s.keyStart}, ${s.keyStop}, ${s.step}${sub}}`;
}

/**
 * The checker for the commands `source` calls by a literal name; a call with a computed name
 * finds no spec and fails, so the check cannot be slipped past.
 */
export function keyCheckPrelude(source: string): string {
  const names = new Set([...source.matchAll(CALL)].map((m) => m[1]!.toLowerCase()));
  const entries = [...names].map((n) => {
    const spec = specs[n];
    if (!spec) throw new Error(`Lua key check: unknown Redis command ${n}`);
    return `['${n}'] = ${luaSpec(spec)}`;
  });
  return `
local __pa_declared = {}
for _, k in ipairs(KEYS) do __pa_declared[k] = true end
local __pa_specs = {${entries.join(', ')}}
local function __pa_check(name, args)
  local spec = __pa_specs[string.lower(name)]
  if not spec then error('key check: no key spec for ' .. tostring(name)) end
  if spec.sub and args[1] then
    spec = spec.sub[string.lower(args[1])] or spec
  end
  local first, last, step = spec[1], spec[2], spec[3]
  if step <= 0 or first <= 0 then return end
  if last < 0 then last = #args + 1 + last end
  for i = first, last, step do
    if not __pa_declared[args[i]] then
      error('key check: ' .. name .. ' touches ' .. tostring(args[i]) .. ', which is not in KEYS')
    end
  end
end
local function __pa_call(name, ...)
  __pa_check(name, {...})
  return redis.call(name, ...)
end
local function __pa_pcall(name, ...)
  __pa_check(name, {...})
  return redis.pcall(name, ...)
end
`;
}

/** `source` with its calls routed through the checker of `prelude`. */
export function withKeyCheck(source: string, prelude: string): string {
  return prelude + source.replace(/redis\.call\(/g, '__pa_call(').replace(/redis\.pcall\(/g, '__pa_pcall(');
}
