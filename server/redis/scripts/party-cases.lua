-- The cases each party appeared in, for a warning rule's window (server/warnings/parties.ts),
-- kept as fields of the rules' bucket hashes (server/warnings/rule-buckets.ts), valued
-- `<forget at, epoch s>|<JSON [[ts, member], …]>`, a member `caseId|region|category`. Adds each
-- party's new entries (a member already listed keeps its time, as ZADD NX did), drops those before
-- the trim, and answers those from the window's start.
-- KEYS: the buckets, then each party's sorted set of before 2026-12-06 (`wp:<kind>:<party>`):
-- merged into the field once and deleted.
-- ARGV[1] now (epoch s), ARGV[2] the trim (ms: entries before it go), ARGV[3] the window's start
-- (ms), ARGV[4] how long a field stays after its newest entry (s); then per party: its bucket's
-- index in KEYS, its field, its old set's index in KEYS, n, and n × (ts, member).
-- Returns per party the flat list `ts, member, …` of the window, oldest first.
local now, trim, from, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
local a = 5
while a <= #ARGV do
  local bucket, field, old, n = KEYS[tonumber(ARGV[a])], ARGV[a + 1], KEYS[tonumber(ARGV[a + 2])], tonumber(ARGV[a + 3])
  a = a + 4
  local entries, seen = {}, {}
  local function add(ts, member)
    if not seen[member] then
      seen[member] = true
      entries[#entries + 1] = {ts, member}
    end
  end
  local body = ruleRecord(redis.call('HGET', bucket, field), now)
  if body then
    for _, e in ipairs(cjson.decode(body)) do add(e[1], e[2]) end
  end
  local before = redis.call('ZRANGE', old, trim, '+inf', 'BYSCORE', 'WITHSCORES')
  for j = 1, #before, 2 do add(tonumber(before[j + 1]), before[j]) end
  redis.call('DEL', old)
  for j = 1, n do
    add(tonumber(ARGV[a]), ARGV[a + 1])
    a = a + 2
  end
  local kept, newest = {}, 0
  for _, e in ipairs(entries) do
    if e[1] >= trim then
      kept[#kept + 1] = e
      if e[1] > newest then newest = e[1] end
    end
  end
  table.sort(kept, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
  if #kept == 0 then
    redis.call('HDEL', bucket, field)
  else
    redis.call('HSET', bucket, field, ruleValue(math.floor(newest / 1000) + keep, cjson.encode(kept)))
  end
  local flat = {}
  for _, e in ipairs(kept) do
    if e[1] >= from then
      flat[#flat + 1] = string.format('%d', e[1])
      flat[#flat + 1] = e[2]
    end
  end
  out[#out + 1] = flat
end
return out
