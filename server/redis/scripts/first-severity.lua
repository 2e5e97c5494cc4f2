-- The first severity seen of each dispute case (server/warnings/rules/homicide-risk.ts), kept as a
-- field of the rules' bucket hashes (server/warnings/rule-buckets.ts), valued
-- `<forget at, epoch s>|<severity>`: the first writer's severity stays, the latest forget-at wins.
-- KEYS: the buckets, then each case's hash of before 2026-12-06 (`wsev:<caseId>`, field `s0`):
-- taken over once and deleted.
-- ARGV[1] now (epoch s); then per case: its bucket's index in KEYS, its field, its old hash's
-- index in KEYS, the severity of this event, and when the record may go (epoch s).
-- Returns the first severity of each case, in order.
local now = tonumber(ARGV[1])
local out = {}
for a = 2, #ARGV, 5 do
  local bucket, field, old = KEYS[tonumber(ARGV[a])], ARGV[a + 1], KEYS[tonumber(ARGV[a + 2])]
  local sev, forget = ARGV[a + 3], tonumber(ARGV[a + 4])
  local first, was = ruleRecord(redis.call('HGET', bucket, field), now)
  if first and was > forget then forget = was end
  if not first then first = redis.call('HGET', old, 's0') end
  redis.call('DEL', old)
  if not first then first = sev end
  redis.call('HSET', bucket, field, ruleValue(forget, first))
  out[#out + 1] = first
end
return out
