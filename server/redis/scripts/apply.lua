-- Applies a batch of events to the case states and counters, atomically and idempotently.
-- ARGV: 1 prefix, 2 now ms, 3 SLA json, 4 oldest day kept, 5 oldest month kept (common.lua),
--       6 day TTL s, 7 month TTL s, 8 closed-case TTL s, 9 event-mark TTL s,
--       10 stream key ('' = none), 11 consumer group, 12 event count, then 15 fields per event.
-- Returns {touched regions, result codes}: per event N new case, U updated case,
-- D already applied (a redelivery), C conflicting kind for its caseId (kept in the log, not counted).

local DAY_TTL = tonumber(ARGV[6])
local MON_TTL = tonumber(ARGV[7])
local CLOSED_TTL = tonumber(ARGV[8])
local MARK_TTL = tonumber(ARGV[9])
local STREAM = ARGV[10]
local GROUP = ARGV[11]
local n = tonumber(ARGV[12])
local FIELDS = 15
local codes = {}

-- Lexicographic tie-break so equal timestamps still order the same way on every replay.
local function later(ts, id, bestTs, bestId)
  if not bestTs then return true end
  ts, bestTs = tonumber(ts), tonumber(bestTs)
  if ts ~= bestTs then return ts > bestTs end
  return id > bestId
end

for i = 0, n - 1 do
  local b = 12 + i * FIELDS
  local id, caseId, k, cat, status = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  local rank, sev, region, chan, ts = ARGV[b + 6], ARGV[b + 7], ARGV[b + 8], ARGV[b + 9], ARGV[b + 10]
  local dy, mo, hh, sl, entry = ARGV[b + 11], ARGV[b + 12], ARGV[b + 13], ARGV[b + 14], ARGV[b + 15]

  local markKey = PREFIX .. 'ev:' .. id
  if redis.call('GET', markKey) == '1' then
    codes[#codes + 1] = 'D'
  else
    local caseKey = PREFIX .. 'case:' .. caseId
    local c = loadCase(caseKey)
    if c.k and c.k ~= k then
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
      c.n = tostring(tonumber(c.n or '0') + 1)
      c.od = overdueFlags(c, NOW)
      contribute(c, 1)
      local flat = {}
      for f, v in pairs(c) do
        flat[#flat + 1] = f
        flat[#flat + 1] = v
      end
      redis.call('HSET', caseKey, unpack(flat))
      if isOpen(c) then redis.call('PERSIST', caseKey) else redis.call('EXPIRE', caseKey, CLOSED_TTL) end
      schedule(caseId, c)
      codes[#codes + 1] = isNew and 'N' or 'U'
    end
    redis.call('SET', markKey, '1', 'EX', MARK_TTL)
  end
  if STREAM ~= '' and entry ~= '' then redis.call('XACK', STREAM, GROUP, entry) end
end

flush(DAY_TTL, MON_TTL)
return {touchedList, table.concat(codes)}
