-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream, KEYS[1 + i] the dedupe mark of event i. ARGV[2i - 1] that mark's TTL s
-- (counted from when the event happened), ARGV[2i] event i packed
-- (server/ingest/stream-entry.ts owns the entry's shape: one field `p`).
-- Returns one code per event: A appended, D duplicate id.
local codes = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '0', 'NX', 'EX', ARGV[2 * i - 3]) then
    redis.call('XADD', KEYS[1], '*', 'p', ARGV[2 * i - 2])
    codes[#codes + 1] = 'A'
  else
    codes[#codes + 1] = 'D'
  end
end
return table.concat(codes)
