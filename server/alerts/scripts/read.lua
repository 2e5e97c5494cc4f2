-- Reads a page of an alert index with each alert's fields and departments, plus open counts by
-- level of a region and of its children: the snapshot's alert part in one round trip.
-- ARGV: 1 prefix, 2 now (unused), 3 index key, 4 cap, 5 region for counts ('' none), 6.. children.
-- Returns {{alert flat, departments flat}…, counts {red, orange, yellow, blue}, {child counts}…}.

local ids = redis.call('ZRANGE', ARGV[3], 0, tonumber(ARGV[4]) - 1)
local list = {}
for _, id in ipairs(ids) do
  list[#list + 1] = {redis.call('HGETALL', P .. 'al:' .. id), redis.call('HGETALL', P .. 'al:' .. id .. ':d')}
end
local function counts(code)
  return redis.call('HMGET', P .. 'alc:' .. code, 'red', 'orange', 'yellow', 'blue')
end
local mine = {}
if ARGV[5] ~= '' then mine = counts(ARGV[5]) end
local kids = {}
for i = 6, #ARGV do kids[#kids + 1] = counts(ARGV[i]) end
return {list, mine, kids}
