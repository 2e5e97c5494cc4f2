-- Appends new events to the log of record, once per event id, in one atomic step: an id is marked
-- and its event appended together, so a crash can never leave one without the other.
-- KEYS[1] events stream. ARGV: 1 mark-key prefix, 2 mark TTL s, then pairs (id, json).
-- Returns one code per event: A appended, D duplicate id.
local codes = {}
local ttl = ARGV[2]
for i = 3, #ARGV, 2 do
  if redis.call('SET', ARGV[1] .. ARGV[i], '0', 'NX', 'EX', ttl) then
    redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1])
    codes[#codes + 1] = 'A'
  else
    codes[#codes + 1] = 'D'
  end
end
return table.concat(codes)
