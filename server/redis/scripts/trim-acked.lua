-- Trims the events stream of what every consumer group has applied and acknowledged: entries
-- older than the oldest pending one (delivered, not yet acknowledged) and not after any group's
-- last delivered entry. Read and trimmed in one step, so no entry can be delivered or claimed in
-- between: an entry not yet committed is never dropped.
-- KEYS[1] stream. Returns the number of entries removed.
local function cmp(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
-- A stream nobody consumes yet keeps everything.
if #groups == 0 then return 0 end
local min
for _, g in ipairs(groups) do
  local f = {}
  for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
  -- Everything up to the last delivered entry, exclusive of what follows it.
  local m, s = string.match(f['last-delivered-id'], '^(%d+)-(%d+)$')
  local after = m .. '-' .. (tonumber(s) + 1)
  if min == nil or cmp(after, min) < 0 then min = after end
  local p = redis.call('XPENDING', KEYS[1], f['name'])
  if p[1] > 0 and cmp(p[2], min) < 0 then min = p[2] end
end
return redis.call('XTRIM', KEYS[1], 'MINID', min)
