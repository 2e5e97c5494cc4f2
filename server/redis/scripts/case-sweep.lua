-- Removes the cases forgotten by now (server/aggregate/case-store.ts owns their shape).
-- KEYS: case buckets.
-- ARGV[1] now (epoch s). Returns the number of cases removed. A bucket left empty goes with its
-- last field.
local now = tonumber(ARGV[1])
local removed = 0
for _, bucket in ipairs(KEYS) do
  local flat = redis.call('HGETALL', bucket)
  local gone = {}
  for i = 1, #flat, 2 do
    if caseVersion(flat[i + 1], now) == '' then gone[#gone + 1] = flat[i] end
  end
  -- In slices: unpack has a limit, and a bucket that outgrew its listpack may be large.
  for i = 1, #gone, 1000 do
    redis.call('HDEL', bucket, unpack(gone, i, math.min(i + 999, #gone)))
  end
  removed = removed + #gone
end
return removed
