-- Shared by apply.lua and sweep.lua (the loader prepends this file). A case's effect on the
-- counters is a pure function of its state ("contribution"); every change is applied as
-- "retract the old contribution, add the new one", so arrival order never matters.
--
-- Two layouts, chosen for cost per event:
-- * province, city, county ("top"): one field per dimension in day/month/open hashes
--   (`i`, `c:family`, `s:received`, `h:9:i`, `q:108:i` …). Many events share these keys, so a
--   batch sums them in Lua and writes each field once.
-- * township and village ("low"): one hash per township and day, one field per combination
--   `code|k|category|channel|status|outcome|hour|slot`, the same per month without hour and slot,
--   and an open hash with `code|k|status|category|overdue`. One write per event instead of ~30; the reader sums the
--   (small) hash into the same marginals (server/aggregate/low-level.ts).

local PREFIX = ARGV[1]
local NOW = tonumber(ARGV[2])
local SLA = cjson.decode(ARGV[3])      -- {category = {dispatchMs, resolveMs}}
-- Buckets older than retention are left alone: their keys may have expired, and a retraction
-- would otherwise resurrect them with negative counts.
local MIN_DAY = tonumber(ARGV[4])
local MIN_MONTH = ARGV[5]
local TOP_LENGTHS = {2, 4, 6}

local acc = {}        -- acc[key][field] = delta
local accKeys = {}    -- key order, so results do not depend on table iteration
local accTtl = {}     -- key -> 'day' | 'mon' (which retention applies)
local touched = {}    -- region code -> true
local touchedList = {}

local function add(key, field, d, ttl)
  local t = acc[key]
  if not t then
    t = {}
    acc[key] = t
    accKeys[#accKeys + 1] = key
    accTtl[key] = ttl
  end
  t[field] = (t[field] or 0) + d
end

local function touch(region)
  for _, len in ipairs({2, 4, 6, 9, 12}) do
    if len <= #region then
      local a = string.sub(region, 1, len)
      if not touched[a] then
        touched[a] = true
        touchedList[#touchedList + 1] = a
      end
    end
  end
end

local function isOpen(c)
  if c.k == 'i' then return c.s ~= 'closed' end
  return tonumber(c.sr) < 3
end

-- Overdue flags of an open dispute at time `now`: 'd' not dispatched in time, 'r' not resolved.
local function overdueFlags(c, now)
  if c.k ~= 'd' or not isOpen(c) then return '' end
  local sla = SLA[c.c] or SLA['*']
  local t0 = tonumber(c.t0)
  local f = ''
  if c.s == 'received' and now > t0 + sla[1] then f = f .. 'd' end
  if now > t0 + sla[2] then f = f .. 'r' end
  return f
end

-- Next moment the overdue flags of this case can change, or nil.
local function nextDeadline(c)
  if c.k ~= 'd' or not isOpen(c) then return nil end
  local sla = SLA[c.c] or SLA['*']
  local t0 = tonumber(c.t0)
  local best = nil
  local od = c.od or ''
  if c.s == 'received' and not string.find(od, 'd', 1, true) then best = t0 + sla[1] end
  if not string.find(od, 'r', 1, true) then
    local r = t0 + sla[2]
    if not best or r < best then best = r end
  end
  return best
end

-- Adds sign × the case's contribution to the accumulated deltas.
local function contribute(c, sign)
  if not c.k then return end
  touch(c.r)
  local k = c.k
  local open = isOpen(c)
  local od = c.od or ''
  local out = c.out or ''
  local dayKept = tonumber(c.dy) >= MIN_DAY
  for _, len in ipairs(TOP_LENGTHS) do
    if len > #c.r then break end
    local a = string.sub(c.r, 1, len)
    if dayKept then
      local dk = PREFIX .. 'day:' .. a .. ':' .. c.dy
      add(dk, k, sign, 'day')
      add(dk, 'c:' .. c.c, sign)
      add(dk, 'ch:' .. c.ch, sign)
      add(dk, 's:' .. c.s, sign)
      if out ~= '' then add(dk, 'o:' .. out, sign) end
      add(dk, 'h:' .. c.hh .. ':' .. k, sign)
      add(dk, 'q:' .. c.sl .. ':' .. k, sign)
    end
    if c.mo >= MIN_MONTH then
      local mk = PREFIX .. 'mon:' .. a .. ':' .. c.mo
      add(mk, k, sign, 'mon')
      add(mk, 'c:' .. c.c, sign)
      add(mk, 'ch:' .. c.ch, sign)
      add(mk, 's:' .. c.s, sign)
      if out ~= '' then add(mk, 'o:' .. out, sign) end
    end
    if open then
      local ok = PREFIX .. 'open:' .. a
      add(ok, k, sign)
      add(ok, 's:' .. c.s, sign)
      add(ok, 'c:' .. c.c, sign)
      if od ~= '' then add(ok, 'od', sign) end
      if string.find(od, 'd', 1, true) then add(ok, 'odd', sign) end
      if string.find(od, 'r', 1, true) then add(ok, 'odr', sign) end
    end
  end
  if #c.r >= 9 then
    local twp = string.sub(c.r, 1, 9)
    if dayKept then
      add(PREFIX .. 'lday:' .. twp .. ':' .. c.dy,
        c.r .. '|' .. k .. '|' .. c.c .. '|' .. c.ch .. '|' .. c.s .. '|' .. out .. '|' .. c.hh .. '|' .. c.sl, sign, 'day')
    end
    if c.mo >= MIN_MONTH then
      add(PREFIX .. 'lmon:' .. twp .. ':' .. c.mo, c.r .. '|' .. k .. '|' .. c.c .. '|' .. c.ch .. '|' .. c.s .. '|' .. out, sign, 'mon')
    end
    if open then
      add(PREFIX .. 'lopen:' .. twp, c.r .. '|' .. k .. '|' .. c.s .. '|' .. c.c .. '|' .. od, sign)
    end
  end
end

local function loadCase(key)
  local flat = redis.call('HGETALL', key)
  local c = {}
  for i = 1, #flat, 2 do c[flat[i]] = flat[i + 1] end
  return c
end

-- Keeps the SLA queue in step with the case; only touches it when the deadline moved.
local function schedule(caseId, c)
  local nd = nextDeadline(c)
  local was = c.dl
  if nd then
    c.dl = tostring(nd)
    if c.dl ~= was then redis.call('ZADD', PREFIX .. 'sla', nd, caseId) end
  else
    c.dl = nil
    if was then redis.call('ZREM', PREFIX .. 'sla', caseId) end
  end
  return c.dl ~= was
end

-- Writes the accumulated deltas; fields that reach zero are removed to keep hashes small.
-- Day and month keys get their retention TTL (none given: left as they are); open hashes live
-- as long as their region.
local function flush(dayTtl, monTtl)
  for _, key in ipairs(accKeys) do
    local any = false
    for field, d in pairs(acc[key]) do
      if d ~= 0 then
        any = true
        if redis.call('HINCRBY', key, field, d) == 0 then redis.call('HDEL', key, field) end
      end
    end
    local ttl = accTtl[key]
    if any and dayTtl and ttl then
      redis.call('EXPIRE', key, ttl == 'day' and dayTtl or monTtl)
    end
  end
end
