-- A warning rule's record in its bucket (server/warnings/rule-buckets.ts): `<forget at, epoch s>|<body>`.
-- Prepended to the scripts that read or write one (server/redis/scripts.ts).

-- The record's body, or nil when there is none or it is forgotten by `now` (epoch s); and its forget-at.
local function ruleRecord(raw, now)
  if not raw then return nil end
  local bar = string.find(raw, '|', 1, true)
  local at = tonumber(string.sub(raw, 1, bar - 1))
  if at <= now then return nil, at end
  return string.sub(raw, bar + 1), at
end

-- The stored value of a record forgotten at `at` (epoch s).
local function ruleValue(at, body)
  return string.format('%d', at) .. '|' .. body
end
