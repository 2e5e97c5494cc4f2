-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream, KEYS[1 + i] the dedupe mark of event i. ARGV[2i - 1] that mark's TTL s
-- (counted from when the event happened), ARGV[2i] event i packed.
-- The events whose ids are new go into ONE entry, field `c`: `[` their packed events joined by `,`
-- `]` (server/ingest/stream-entry.ts owns the entry's shape; its packChunk writes the same).
-- Returns one code per event: A appended, D duplicate id.
local codes = {}
local packed = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '0', 'NX', 'EX', ARGV[2 * i - 3]) then
    packed[#packed + 1] = ARGV[2 * i - 2]
    codes[#codes + 1] = 'A'
  else
    codes[#codes + 1] = 'D'
  end
end
if #packed > 0 then redis.call('XADD', KEYS[1], '*', 'c', '[' .. table.concat(packed, ',') .. ']') end
return table.concat(codes)
