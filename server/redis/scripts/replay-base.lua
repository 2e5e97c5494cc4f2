-- Starts a replay epoch (server/replay/base.ts): copies every counter hash a snapshot may read into
-- the epoch's base hash (field = counter key, value = the hash as JSON) and makes the epoch current,
-- in one atomic step. The commit script reads the current epoch to choose its replay log, so a
-- committed case change is either in this base or in the log that follows it, never both.
-- Runs once a Beijing day: a later call for a day that already has its base does nothing.
--
-- KEYS[1] the current epoch, KEYS[2] every epoch (zset), KEYS[3] this epoch's base, then the
-- counter keys to copy (a script touches only keys it is given: server/redis/lua.ts).
-- ARGV[1] JSON: id epoch id (ms), day Beijing day number, ttl base TTL s, keep oldest epoch score kept.
-- Returns the number of hashes copied, or -1 when the day's base exists.

local a = cjson.decode(ARGV[1])
local cur = redis.call('GET', KEYS[1])
if cur and math.floor((tonumber(cur) + 28800000) / 86400000) >= a.day then return -1 end

local n = 0
for i = 4, #KEYS do
  local k = KEYS[i]
  local flat = redis.call('HGETALL', k)
  if #flat > 0 then
    local t = {}
    for j = 1, #flat, 2 do t[flat[j]] = tonumber(flat[j + 1]) end
    redis.call('HSET', KEYS[3], k, cjson.encode(t))
    n = n + 1
  end
end
redis.call('HSET', KEYS[3], '~at', a.id)
redis.call('EXPIRE', KEYS[3], a.ttl)
redis.call('SET', KEYS[1], a.id)
redis.call('ZADD', KEYS[2], a.id, a.id)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. a.keep)
return n
