-- Re-evaluates the overdue flags of open disputes whose SLA deadline has passed.
-- ARGV: 1–5 as in common.lua, 6 max cases.
-- Returns {touched regions, {caseId, flags, ...} of cases whose flags changed}.

local limit = tonumber(ARGV[6])
local due = redis.call('ZRANGEBYSCORE', PREFIX .. 'sla', '-inf', NOW, 'LIMIT', 0, limit)
local changed = {}
for _, caseId in ipairs(due) do
  local caseKey = PREFIX .. 'case:' .. caseId
  local c = loadCase(caseKey)
  if not c.k then
    redis.call('ZREM', PREFIX .. 'sla', caseId)
  else
    local before = c.od or ''
    local after = overdueFlags(c, NOW)
    if after ~= before then
      contribute(c, -1)
      c.od = after
      contribute(c, 1)
      changed[#changed + 1] = caseId
      changed[#changed + 1] = after
    end
    local hadDeadline = c.dl
    schedule(caseId, c)
    if c.dl then
      redis.call('HSET', caseKey, 'od', after, 'dl', c.dl)
    else
      redis.call('HSET', caseKey, 'od', after)
      if hadDeadline then redis.call('HDEL', caseKey, 'dl') end
    end
  end
end
flush(nil, nil)
return {touchedList, changed}
