-- Packs one township month hash (server/counters/month-pack.ts): its plain fields, deflated in Node
-- together with what its packed field already held, replace both, provided none of them moved
-- since Node read them. A field written in between that Node did not read is left as it is (it
-- is not in the new packed value, so it still counts once); one Node read that has since changed
-- (a late event, a second packer first) leaves the whole hash as it is, packed on a later run.
-- The key is never emptied before it is written, so it keeps its TTL.
--
-- KEYS[1] the hash. ARGV[1] the packed field's name, ARGV[2] its new value ('' = every count is
-- zero), ARGV[3] its value as read ('' = none), then field, value pairs as read.
-- Returns 1 when packed, 0 when something moved.

local key, packed = KEYS[1], ARGV[1]
if (redis.call('HGET', key, packed) or '') ~= ARGV[3] then return 0 end
for i = 4, #ARGV, 2 do
  if redis.call('HGET', key, ARGV[i]) ~= ARGV[i + 1] then return 0 end
end
if ARGV[2] ~= '' then
  redis.call('HSET', key, packed, ARGV[2])
else
  redis.call('HDEL', key, packed)
end
for i = 4, #ARGV, 2 do redis.call('HDEL', key, ARGV[i]) end
return 1
