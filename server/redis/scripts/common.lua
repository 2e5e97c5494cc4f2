-- Shared by apply.lua and sweep.lua (the loader prepends this file). A case's effect on the
-- counters is a pure function of its state ("contribution"); every change is applied as
-- "retract the old contribution, add the new one", so arrival order never matters.

local PREFIX = ARGV[1]
local NOW = tonumber(ARGV[2])
local SLA = cjson.decode(ARGV[3])      -- {category = {dispatchMs, resolveMs}}
-- Buckets older than retention are left alone: their keys may have expired, and a retraction
-- would otherwise resurrect them with negative counts.
local MIN_DAY = tonumber(ARGV[4])
local MIN_MONTH = ARGV[5]
local LEVEL_LENGTHS = {2, 4, 6, 9, 12}

local acc = {}        -- acc[key][field] = delta
local accKeys = {}    -- key order, so results do not depend on table iteration
local touched = {}    -- region code -> true
local touchedList = {}

local function add(key, field, d)
  local t = acc[key]
  if not t then
    t = {}
    acc[key] = t
    accKeys[#accKeys + 1] = key
  end
  t[field] = (t[field] or 0) + d
end

local function ancestors(region)
  local out = {}
  for _, len in ipairs(LEVEL_LENGTHS) do
    if len <= #region then out[#out + 1] = string.sub(region, 1, len) end
  end
  return out
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

-- Adds sign × the case's contribution. `dayOnly`/`openOnly` are not needed: a sweep only changes
-- the overdue flags, whose fields live in the open hash, and identical fields cancel out anyway.
local function contribute(c, sign)
  if not c.k then return end
  local k = c.k
  local open = isOpen(c)
  local od = c.od or ''
  for _, a in ipairs(ancestors(c.r)) do
    if not touched[a] then
      touched[a] = true
      touchedList[#touchedList + 1] = a
    end
    if tonumber(c.dy) >= MIN_DAY then
      local dk = PREFIX .. 'day:' .. a .. ':' .. c.dy
      add(dk, k, sign)
      add(dk, 'c:' .. c.c, sign)
      add(dk, 'ch:' .. c.ch, sign)
      add(dk, 's:' .. c.s, sign)
      if c.out and c.out ~= '' then add(dk, 'o:' .. c.out, sign) end
      add(dk, 'h:' .. c.hh .. ':' .. k, sign)
      add(dk, 'q:' .. c.sl .. ':' .. k, sign)
    end
    if c.mo >= MIN_MONTH then
      local mk = PREFIX .. 'mon:' .. a .. ':' .. c.mo
      add(mk, k, sign)
      add(mk, 'c:' .. c.c, sign)
      add(mk, 'ch:' .. c.ch, sign)
      add(mk, 's:' .. c.s, sign)
      if c.out and c.out ~= '' then add(mk, 'o:' .. c.out, sign) end
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
end

local function loadCase(key)
  local flat = redis.call('HGETALL', key)
  local c = {}
  for i = 1, #flat, 2 do c[flat[i]] = flat[i + 1] end
  return c
end

local function schedule(caseId, c)
  local nd = nextDeadline(c)
  if nd then
    redis.call('ZADD', PREFIX .. 'sla', nd, caseId)
  else
    redis.call('ZREM', PREFIX .. 'sla', caseId)
  end
end

-- Writes the accumulated deltas; fields that reach zero are removed to keep hashes small.
-- Day and month keys get their retention TTL (none given: left as they are); the open hash
-- lives as long as the region.
local function flush(dayTtl, monTtl)
  for _, key in ipairs(accKeys) do
    local t = acc[key]
    local any = false
    for field, d in pairs(t) do
      if d ~= 0 then
        any = true
        local v = redis.call('HINCRBY', key, field, d)
        if v == 0 then redis.call('HDEL', key, field) end
      end
    end
    if any and dayTtl then
      if string.find(key, PREFIX .. 'day:', 1, true) == 1 then
        redis.call('EXPIRE', key, dayTtl)
      elseif string.find(key, PREFIX .. 'mon:', 1, true) == 1 then
        redis.call('EXPIRE', key, monTtl)
      end
    end
  end
end
