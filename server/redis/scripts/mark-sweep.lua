-- Removes the event-id marks whose day has come (server/ingest/marks.ts owns their shape).
-- KEYS: mark buckets (hashes of id -> the day from which the mark may go). ARGV[1] today.
-- Returns the number of marks removed. A bucket left empty goes with its last field.
local today = tonumber(ARGV[1])
local removed = 0
for _, bucket in ipairs(KEYS) do
  local flat = redis.call('HGETALL', bucket)
  local gone = {}
  for i = 1, #flat, 2 do
    if tonumber(flat[i + 1]) <= today then gone[#gone + 1] = flat[i] end
  end
  -- In slices: unpack has a limit, and a bucket that outgrew its listpack may be large.
  for i = 1, #gone, 1000 do
    redis.call('HDEL', bucket, unpack(gone, i, math.min(i + 999, #gone)))
  end
  removed = removed + #gone
end
return removed
