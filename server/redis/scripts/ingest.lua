-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream, KEYS[2] this call's receipt, KEYS[2 + i] the dedupe mark of event i.
-- ARGV[1] the receipt's TTL s, ARGV[2i] the mark of event i's TTL s (counted from when the event
-- happened), ARGV[2i + 1] event i packed (server/ingest/stream-entry.ts owns the entry's shape: one
-- field `p`).
-- Returns one code per event: A appended, D duplicate id.
-- The client re-sends a call whose answer a dropped connection lost (ioredis resends unanswered
-- commands on reconnect); the call's first run may have been written. The receipt answers the
-- re-sent call what its first run did, so the caller is not told that its own events were
-- duplicates.
local receipt = redis.call('GET', KEYS[2])
if receipt then return receipt end
local codes = {}
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], '0', 'NX', 'EX', ARGV[2 * i - 4]) then
    redis.call('XADD', KEYS[1], '*', 'p', ARGV[2 * i - 3])
    codes[#codes + 1] = 'A'
  else
    codes[#codes + 1] = 'D'
  end
end
local answer = table.concat(codes)
redis.call('SET', KEYS[2], answer, 'EX', ARGV[1])
return answer
