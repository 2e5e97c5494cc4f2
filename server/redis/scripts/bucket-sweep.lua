-- Removes the fields of bucket hashes that have gone (server/redis/bucket-sweep.ts): event-id
-- marks whose day has come (server/ingest/marks.ts: id -> the day from which it may go), cases
-- forgotten by now (server/aggregate/case-store.ts, read by case-stored.lua), or the warning
-- rules' records forgotten by now (server/warnings/rule-buckets.ts: `<epoch s>|…`).
-- KEYS: buckets of one kind. ARGV[1] 'm' marks, 'c' cases or 'r' rules' records; ARGV[2] today
-- (marks) or now in epoch s. Returns the number of fields removed. A bucket left empty goes with
-- its last.
local kind, at = ARGV[1], tonumber(ARGV[2])
local function gone(v)
  if kind == 'm' then return tonumber(v) <= at end
  if kind == 'c' then return caseVersion(v, at) == '' end
  return ruleRecord(v, at) == nil
end
local removed = 0
for _, bucket in ipairs(KEYS) do
  local flat = redis.call('HGETALL', bucket)
  local out = {}
  for i = 1, #flat, 2 do
    if gone(flat[i + 1]) then out[#out + 1] = flat[i] end
  end
  -- In slices: unpack has a limit, and a bucket that outgrew its listpack may be large.
  for i = 1, #out, 1000 do
    redis.call('HDEL', bucket, unpack(out, i, math.min(i + 999, #out)))
  end
  removed = removed + #out
end
return removed
