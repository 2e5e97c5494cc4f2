-- Packs one closed hour of a replay list (server/replay/pack.ts): the list's records, deflated in
-- Node together with what the hour's packed string already held, replace both, provided neither
-- moved since Node read them. A record pushed in between (a straggling commit) or a second packer
-- that got there first leaves everything as it is; the list is then packed on a later run.
--
-- KEYS[1] the hour's list, KEYS[2] its packed string.
-- ARGV[1] the list's length as read, ARGV[2] the packed string as read ('' = none),
-- ARGV[3] the new packed string, ARGV[4] its TTL in ms (the list's; <= 0 = none).
-- Returns 1 when packed, 0 when something moved.

if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
local cur = redis.call('GET', KEYS[2])
if (cur or '') ~= ARGV[2] then return 0 end
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ttl)
else
  redis.call('SET', KEYS[2], ARGV[3])
end
redis.call('DEL', KEYS[1])
return 1
