-- Writes cases of a history import that Redis does not have yet (server/import/new-cases.ts), with
-- their summed counters, case index entries, SLA deadlines and replay records, atomically; or
-- nothing, when any of the cases exists already (the caller then commits that batch the
-- aggregator's way, commit.lua, which reads and merges). What it writes for a case is what
-- commit.lua writes for a case new to Redis; it is leaner because nothing is read and merged:
-- one HSET per case, one ZADD per index set and batch, flat arguments instead of a JSON document.
--
-- KEYS[1] SLA queue, KEYS[2] replay epoch, KEYS[3] replay log (KEYS[2] again when nothing is
-- logged), then the n cases' buckets, the m counter hashes, the k index sets.
-- ARGV: n, m, k, the replay epoch read ('' none), 1 when there are replay records (then the epoch
-- must still be the one read, as in commit.lua; they are logged when there is an epoch), the log's TTL s, now (epoch s), the
-- index floor (ms), the closed index sets' TTL s after their newest case; then
--   per case: its id, the value to store (case-stored.lua), at version 1
--   per counter hash: TTL s ('-' never), f, then f × (field, delta)
--   per index set: 1 when it lists closed cases (trimmed below the floor, given its TTL), p, then
--     p × (score, member)
--   then s, s × (score, case id) for the SLA queue; then l, l × replay record.
-- Returns {1} when written, {0, key} when a case existed (or the replay epoch moved).

local n, m, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local epoch, records, logTtl = ARGV[4], ARGV[5] == '1', ARGV[6]
local now, floor, indexTtl = tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])

for i = 1, n do
  if caseVersion(redis.call('HGET', KEYS[3 + i], ARGV[8 + 2 * i]), now) ~= '' then return {0, KEYS[3 + i]} end
end
if records and (redis.call('GET', KEYS[2]) or '') ~= epoch then return {0, KEYS[2]} end

-- Calls with many arguments in slices: Lua's C stack takes a few thousand values at most.
local SLICE = 2000
local function many(call, key, from, count)
  local i = 0
  while i < count do
    local args = {}
    for q = from + i, from + math.min(count, i + SLICE) - 1 do args[#args + 1] = ARGV[q] end
    call(key, unpack(args))
    i = i + SLICE
  end
end
local function zadd(key, ...) redis.call('ZADD', key, ...) end
local function rpush(key, ...) redis.call('RPUSH', key, ...) end

local a = 10
for i = 1, n do
  redis.call('HSET', KEYS[3 + i], ARGV[a], ARGV[a + 1])
  a = a + 2
end

for h = 1, m do
  local key, ttl, f = KEYS[3 + n + h], ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  for i = 1, f do
    if redis.call('HINCRBY', key, ARGV[a], ARGV[a + 1]) == 0 then redis.call('HDEL', key, ARGV[a]) end
    a = a + 2
  end
  if ttl ~= '-' then redis.call('EXPIRE', key, ttl) end
end

for x = 1, k do
  local key, closed, p = KEYS[3 + n + m + x], ARGV[a] == '1', tonumber(ARGV[a + 1])
  a = a + 2
  many(zadd, key, a, 2 * p)
  a = a + 2 * p
  if closed then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. floor)
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if newest[2] then
      redis.call('EXPIRE', key, math.max(1, math.floor(tonumber(newest[2]) / 1000) + indexTtl - now))
    end
  end
end

local s = tonumber(ARGV[a])
a = a + 1
if s > 0 then many(zadd, KEYS[1], a, 2 * s) end
a = a + 2 * s

local l = tonumber(ARGV[a])
a = a + 1
if epoch ~= '' and l > 0 then
  many(rpush, KEYS[3], a, l)
  redis.call('EXPIRE', KEYS[3], logTtl)
end
return {1}
