-- Removes the fields of bucket hashes that have gone (server/redis/bucket-sweep.ts): event-id
-- marks whose day has come (server/ingest/marks.ts: id -> the day from which it may go) or cases
-- forgotten by now (server/aggregate/case-store.ts, read by case-stored.lua).
-- KEYS: buckets of one kind. ARGV[1] 'm' marks or 'c' cases; ARGV[2] today (marks) or now in
-- epoch s (cases). Returns the number of fields removed. A bucket left empty goes with its last.
local marks, at = ARGV[1] == 'm', tonumber(ARGV[2])
local removed = 0
for _, bucket in ipairs(KEYS) do
  local flat = redis.call('HGETALL', bucket)
  local gone = {}
  for i = 1, #flat, 2 do
    local v = flat[i + 1]
    if (marks and tonumber(v) <= at) or (not marks and caseVersion(v, at) == '') then gone[#gone + 1] = flat[i] end
  end
  -- In slices: unpack has a limit, and a bucket that outgrew its listpack may be large.
  for i = 1, #gone, 1000 do
    redis.call('HDEL', bucket, unpack(gone, i, math.min(i + 999, #gone)))
  end
  removed = removed + #gone
end
return removed
