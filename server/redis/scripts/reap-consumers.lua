-- Removes the consumers of a group that hold no pending entries and have been idle longer than a
-- bound, except the caller. Checked and removed in one step: XGROUP DELCONSUMER drops a
-- consumer's pending entries with it, so a consumer must never gain entries between the two.
-- KEYS[1] stream. ARGV: 1 group, 2 the caller's consumer name, 3 idle bound in ms.
-- Returns the names removed.
local removed = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #c, 2 do
    f[c[i]] = c[i + 1]
  end
  if f['name'] ~= ARGV[2] and tonumber(f['pending']) == 0 and tonumber(f['idle']) > tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    removed[#removed + 1] = f['name']
  end
end
return removed
