-- Shared by the alert scripts (server/alerts/scripts.ts prepends it). Key names follow
-- server/alerts/keys.ts; the caller declares every one a script may touch in KEYS
-- (server/alerts/script-keys.ts), KEYS[1] being the due zset.
-- ARGV[1] is the key prefix and ARGV[2] the time (ms) for every script.

local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local RANK = {red = 0, orange = 1, yellow = 2, blue = 3}
local OPEN = {new = true, acknowledged = true, dispatched = true, escalated = true}
local LEVEL_LENGTHS = {2, 4, 6, 9, 12}
local CLOSED_KEEP = 500
local CLOSED_TTL_S = 400 * 86400

-- The nation (00) is every region's ancestor: its index and counts list the alerts of every
-- province (a province deployment's are never read, being out of every user's scope).
local function ancestors(region)
  local out = {'00'}
  for _, len in ipairs(LEVEL_LENGTHS) do
    if len <= #region then out[#out + 1] = string.sub(region, 1, len) end
  end
  return out
end

local function parentOf(code)
  local prev = nil
  for _, len in ipairs(LEVEL_LENGTHS) do
    if len >= #code then return prev end
    prev = string.sub(code, 1, len)
  end
  return prev
end

-- Ascending order = most severe first, then newest first. Integers below 2^53, printed exactly.
local function score(a)
  return string.format('%.0f', RANK[a.level] * 1e13 + (9999999999999 - tonumber(a.ca)))
end

local function load(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

local function flatten(t)
  local out = {}
  for k, v in pairs(t) do
    out[#out + 1] = k
    out[#out + 1] = tostring(v)
  end
  return out
end

local function index(a, bucket, add)
  for _, r in ipairs(ancestors(a.region)) do
    local k = P .. 'alx:' .. r .. ':' .. bucket
    if add then redis.call('ZADD', k, score(a), a.id) else redis.call('ZREM', k, a.id) end
  end
end

local function desk(a, add)
  local k = P .. 'ald:' .. a.desk
  if add then redis.call('ZADD', k, score(a), a.id) else redis.call('ZREM', k, a.id) end
end

-- Open alerts by level in every ancestor's subtree; a count that reaches zero is removed.
local function count(a, d)
  for _, r in ipairs(ancestors(a.region)) do
    local k = P .. 'alc:' .. r
    if redis.call('HINCRBY', k, a.level, d) <= 0 then redis.call('HDEL', k, a.level) end
  end
end

local function history(id, entry)
  local k = P .. 'al:' .. id .. ':h'
  entry.seq = redis.call('LLEN', k) + 1
  redis.call('RPUSH', k, cjson.encode(entry))
end

local function save(key, a)
  redis.call('HSET', key, unpack(flatten(a)))
end
