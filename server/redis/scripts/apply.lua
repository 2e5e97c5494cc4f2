-- Applies a batch of events to the case states and counters, atomically and idempotently.
-- ARGV: 1 prefix, 2 now ms, 3 SLA json, 4 oldest day kept, 5 oldest month kept (common.lua),
--       6 day TTL s, 7 month TTL s, 8 closed-case TTL s, 9 stream key ('' = none),
--       10 consumer group, 11 event count, then 15 fields per event.
-- Returns {touched regions, result codes}: per event N new case, U updated case,
-- D already applied (a redelivery), C conflicting kind for its caseId (kept in the log, not counted).
-- An event's id is remembered in its case hash (`e:<id>`), which is what makes a redelivery a no-op.

local DAY_TTL = tonumber(ARGV[6])
local MON_TTL = tonumber(ARGV[7])
local CLOSED_TTL = tonumber(ARGV[8])
local STREAM = ARGV[9]
local GROUP = ARGV[10]
local n = tonumber(ARGV[11])
local FIELDS = 15
local codes = {}
local acks = {}

-- Lexicographic tie-break so equal timestamps still order the same way on every replay.
local function later(ts, id, bestTs, bestId)
  if not bestTs then return true end
  ts, bestTs = tonumber(ts), tonumber(bestTs)
  if ts ~= bestTs then return ts > bestTs end
  return id > bestId
end

for i = 0, n - 1 do
  local b = 11 + i * FIELDS
  local id, caseId, k, cat, status = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  local rank, sev, region, chan, ts = ARGV[b + 6], ARGV[b + 7], ARGV[b + 8], ARGV[b + 9], ARGV[b + 10]
  local dy, mo, hh, sl, entry = ARGV[b + 11], ARGV[b + 12], ARGV[b + 13], ARGV[b + 14], ARGV[b + 15]
  if entry ~= '' then acks[#acks + 1] = entry end

  local caseKey = PREFIX .. 'case:' .. caseId
  local c = loadCase(caseKey)
  if c['e:' .. id] then
    codes[#codes + 1] = 'D'
  elseif c.k and c.k ~= k then
    codes[#codes + 1] = 'C'
  else
    local isNew = not c.k
    contribute(c, -1)
    -- Attributes come from the case's earliest event, the status from its furthest-along one
    -- (rank, then time), the outcome from its latest resolved/failed event.
    if isNew or not later(ts, id, c.t0, c.i0) then
      c.k, c.r, c.c, c.ch, c.t0, c.i0 = k, region, cat, chan, ts, id
      c.dy, c.mo, c.hh, c.sl = dy, mo, hh, sl
    end
    local r = tonumber(rank)
    local cr = tonumber(c.sr or '-1')
    if r > cr or (r == cr and later(ts, id, c.st, c.si)) then
      c.s, c.sr, c.st, c.si = status, rank, ts, id
    end
    if (status == 'resolved' or status == 'failed') and later(ts, id, c.ot, c.oi) then
      c.out, c.ot, c.oi = status, ts, id
    end
    if tonumber(sev) > tonumber(c.sev or '0') then c.sev = sev end
    c.od = overdueFlags(c, NOW)
    contribute(c, 1)
    local hadDeadline = c.dl
    schedule(caseId, c)
    local flat = {'e:' .. id, '1'}
    for f, v in pairs(c) do
      if string.sub(f, 1, 2) ~= 'e:' then
        flat[#flat + 1] = f
        flat[#flat + 1] = v
      end
    end
    redis.call('HSET', caseKey, unpack(flat))
    if hadDeadline and not c.dl then redis.call('HDEL', caseKey, 'dl') end
    if not isOpen(c) then redis.call('EXPIRE', caseKey, CLOSED_TTL) end
    codes[#codes + 1] = isNew and 'N' or 'U'
  end
end

flush(DAY_TTL, MON_TTL)
if STREAM ~= '' and #acks > 0 then redis.call('XACK', STREAM, GROUP, unpack(acks)) end
return {touchedList, table.concat(codes)}
