-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream, KEYS[2] this call's receipt, KEYS[2 + i] the mark bucket of event i
-- (server/ingest/marks.ts owns the marks' shape), and when ARGV[3] is '1', KEYS[2 + n + i] the
-- mark key an older version may have written for event i.
-- ARGV[1] the receipt's TTL s, ARGV[2] today (UTC day number), ARGV[3] '1' to check the older
-- mark keys, then per event i: ARGV[3i + 1] its id, ARGV[3i + 2] the day from which its mark may
-- go, ARGV[3i + 3] the event packed (server/ingest/stream-entry.ts owns the entry's shape: one
-- field `p`).
-- Returns one code per event: A appended, D duplicate id.
-- The client re-sends a call whose answer a dropped connection lost (ioredis resends unanswered
-- commands on reconnect); the call's first run may have been written. The receipt answers the
-- re-sent call what its first run did, so the caller is not told that its own events were
-- duplicates.
local receipt = redis.call('GET', KEYS[2])
if receipt then return receipt end
local today = tonumber(ARGV[2])
local legacy = ARGV[3] == '1'
local n = #KEYS - 2
if legacy then n = n / 2 end
local codes = {}
for i = 1, n do
  local bucket, id = KEYS[2 + i], ARGV[3 * i + 1]
  -- A mark whose day has come is gone, swept or not: the id is new again.
  local day = redis.call('HGET', bucket, id)
  local seen = (day and tonumber(day) > today) or (legacy and redis.call('EXISTS', KEYS[2 + n + i]) == 1)
  if seen then
    codes[i] = 'D'
  else
    redis.call('HSET', bucket, id, ARGV[3 * i + 2])
    redis.call('XADD', KEYS[1], '*', 'p', ARGV[3 * i + 3])
    codes[i] = 'A'
  end
end
local answer = table.concat(codes)
redis.call('SET', KEYS[2], answer, 'EX', ARGV[1])
return answer
