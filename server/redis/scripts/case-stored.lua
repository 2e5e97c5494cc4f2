-- A stored case (server/aggregate/case-store.ts owns the shape), the field of its bucket:
-- 'version TAB forget-at (epoch s, '' while open) TAB state TAB summary'. Prepended to the scripts
-- that read one (Redis Lua has no includes).

-- The case's version, '' when there is none or it is forgotten by `now` (epoch s).
local function caseVersion(raw, now)
  if not raw then return '' end
  local a = string.find(raw, '\t', 1, true)
  local forget = string.sub(raw, a + 1, string.find(raw, '\t', a + 1, true) - 1)
  if forget ~= '' and tonumber(forget) <= now then return '' end
  return string.sub(raw, 1, a - 1)
end
