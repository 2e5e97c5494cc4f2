-- Commits what the aggregator computed for a batch (server/aggregate/batch.ts), atomically: case
-- writes, counter increments, SLA queue changes and stream acknowledgements, or nothing at all.
-- The computing happened outside Redis from case states read just before; each case's version `v`
-- must still be the one read, else another aggregator changed it meanwhile and the whole batch is
-- refused (the caller reads again and recomputes). So Redis only writes: no JSON, no logic.
--
-- KEYS[1] events stream (pins the call to the province's slot).
-- ARGV: 1 stream to acknowledge on ('' = none), 2 group, 3 day TTL s, 4 month TTL s,
--       5 closed-case TTL s, 6 SLA queue key, then sections, each led by its count:
--   cases:    key, expected version ('' = none yet), new version ('' = only check), closed (1/0),
--             state JSON (stored as is)
--   counters: key, retention (d/m/-), n, field, delta…  (a field reaching 0 is removed)
--   sla:      op (a = add with score, r = remove), score, member
--   acks:     the remaining arguments
-- Returns {1} when committed, {0, key} when a case's version had moved.

local DAY_TTL, MON_TTL, CLOSED_TTL = ARGV[3], ARGV[4], ARGV[5]
local SLA_KEY = ARGV[6]

local nCases = tonumber(ARGV[7])
local casesAt = 8
for p = casesAt, casesAt + 5 * (nCases - 1), 5 do
  if (redis.call('HGET', ARGV[p], 'v') or '') ~= ARGV[p + 1] then return {0, ARGV[p]} end
end
for p = casesAt, casesAt + 5 * (nCases - 1), 5 do
  if ARGV[p + 2] ~= '' then
    redis.call('HSET', ARGV[p], 'v', ARGV[p + 2], 'j', ARGV[p + 4])
    if ARGV[p + 3] == '1' then redis.call('EXPIRE', ARGV[p], CLOSED_TTL) end
  end
end

local p = casesAt + 5 * nCases
local nKeys = tonumber(ARGV[p])
p = p + 1
for _ = 1, nKeys do
  local key, retention, n = ARGV[p], ARGV[p + 1], tonumber(ARGV[p + 2])
  p = p + 3
  for i = p, p + 2 * n - 1, 2 do
    if redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) == 0 then redis.call('HDEL', key, ARGV[i]) end
  end
  p = p + 2 * n
  if retention == 'd' then
    redis.call('EXPIRE', key, DAY_TTL)
  elseif retention == 'm' then
    redis.call('EXPIRE', key, MON_TTL)
  end
end

local nSla = tonumber(ARGV[p])
p = p + 1
for _ = 1, nSla do
  if ARGV[p] == 'a' then
    redis.call('ZADD', SLA_KEY, ARGV[p + 1], ARGV[p + 2])
  else
    redis.call('ZREM', SLA_KEY, ARGV[p + 2])
  end
  p = p + 3
end

if ARGV[1] ~= '' and p <= #ARGV then redis.call('XACK', ARGV[1], ARGV[2], unpack(ARGV, p, #ARGV)) end
return {1}
