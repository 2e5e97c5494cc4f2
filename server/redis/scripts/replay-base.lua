-- Starts a replay epoch (server/replay/base.ts): copies every counter hash a snapshot may read into
-- the epoch's base hash (field = counter key, value = the hash as JSON) and makes the epoch current,
-- in one atomic step. The commit script reads the current epoch to choose its replay log, so a
-- committed case change is either in this base or in the log that follows it, never both.
-- Runs once a Beijing day: a later call for a day that already has its base does nothing.
--
-- KEYS[1] events stream (pins the call to the province's slot).
-- ARGV[1] JSON: e epoch key, z epochs zset, b base key, id epoch id (ms), day Beijing day number,
--   ttl base TTL s, keep oldest epoch score kept, keys counter keys to copy.
-- Returns the number of hashes copied, or -1 when the day's base exists.

local a = cjson.decode(ARGV[1])
local cur = redis.call('GET', a.e)
if cur and math.floor((tonumber(cur) + 28800000) / 86400000) >= a.day then return -1 end

local n = 0
for _, k in ipairs(a.keys) do
  local flat = redis.call('HGETALL', k)
  if #flat > 0 then
    local t = {}
    for i = 1, #flat, 2 do t[flat[i]] = tonumber(flat[i + 1]) end
    redis.call('HSET', a.b, k, cjson.encode(t))
    n = n + 1
  end
end
redis.call('HSET', a.b, '~at', a.id)
redis.call('EXPIRE', a.b, a.ttl)
redis.call('SET', a.e, a.id)
redis.call('ZADD', a.z, a.id, a.id)
redis.call('ZREMRANGEBYSCORE', a.z, '-inf', '(' .. a.keep)
return n
