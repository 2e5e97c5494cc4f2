-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream, KEYS[1 + i] the dedupe mark of event i. ARGV[1] mark TTL s, ARGV[1 + i]
-- event i packed (server/ingest/stream-entry.ts owns the entry's shape: one field `p`).
-- Returns one code per event: A appended, D duplicate id.
local codes = {}
local ttl = ARGV[1]
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '0', 'NX', 'EX', ttl) then
    redis.call('XADD', KEYS[1], '*', 'p', ARGV[i])
    codes[#codes + 1] = 'A'
  else
    codes[#codes + 1] = 'D'
  end
end
return table.concat(codes)
