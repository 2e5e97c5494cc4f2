-- Raises a warning: a new alert, or one more piece of evidence on the open alert of the same group
-- (rule, region, case or subject). Idempotent: each evidence id counts once per group, so a
-- redelivered batch or a rule that fires again on the same window changes nothing.
-- ARGV: 1 prefix, 2 now, 3 id for a new alert, 4 rule, 5 level, 6 region, 7 desk, 8 caseId ('' none),
--       9 group, 10 title, 11 explanation, 12 sign limit ms, 13 evidence mark TTL s, 14 evidence cap,
--       15 evidence count, 16 the Beijing month `YYYYMM` of now, 17 the group's alert id as the
--       caller read it ('' none), 18 that alert's desk ('' none), 19 '1' when the warning is about
--       replayed history (ARGV[2] is then when it would have been raised: see below), then per
--       evidence: id, JSON.
-- Returns {'N'|'U', alert hash flat, departments hash flat} or {'D'} (nothing new) or {'S'}
-- (silenced), or {'RETRY'} when the group's alert changed since the caller read it (the keys it
-- declared may not be the right ones).

local newId, rule, level, region = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local deskCode, caseId, group, title, expl = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local limit, markTtl, cap, n = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
local month = ARGV[16]
-- An alert of replayed history (the simulator's backfill) is created at its triggering event's
-- time, with the deadline it had then, but never enters the sign timer (`aldue`): its desk's
-- moment to sign lies in the past, and escalating it now would page every desk above it, a level
-- a tick, on every start. The simulator plays its desks instead (server/simulator/settle-history.ts).
local replayed = ARGV[19] == '1'

for _, r in ipairs(ancestors(region)) do
  if redis.call('EXISTS', P .. 'asil:' .. rule .. ':' .. r) == 1 then return {'S'} end
end

-- Checked before anything is written: a RETRY leaves no trace.
local gk = P .. 'alg:' .. group
local id = redis.call('GET', gk)
if (id or '') ~= ARGV[17] then return {'RETRY'} end
local a = nil
if id then
  a = load(P .. 'al:' .. id)
  if (a.desk or '') ~= ARGV[18] then return {'RETRY'} end
  if not OPEN[a.state or ''] then a = nil end
end

local fresh = {}
for i = 0, n - 1 do
  local evId, json = ARGV[20 + i * 2], ARGV[21 + i * 2]
  if redis.call('SET', P .. 'wm:' .. group .. ':' .. evId, '1', 'NX', 'EX', markTtl) then fresh[#fresh + 1] = json end
end
if #fresh == 0 then return {'D'} end

local code
if not a then
  id = newId
  a = {id = id, rule = rule, level = level, region = region, desk = deskCode, state = 'new', title = title,
       x = expl, g = group, ca = NOW, ua = NOW, n = #fresh, due = NOW + limit, sup = '0'}
  if caseId ~= '' then a.caseId = caseId end
  if replayed then a.hist = '1' end
  index(a, 'open', true)
  desk(a, true)
  count(a, 1)
  if not replayed then redis.call('ZADD', P .. 'aldue', a.due, id) end
  redis.call('SET', gk, id)
  -- Alerts created in a month, per region of its subtree: the 督办考核 counts an alert in its month.
  for _, r in ipairs(ancestors(region)) do
    local mk = P .. 'alm:' .. r .. ':' .. month
    redis.call('ZADD', mk, NOW, id)
    redis.call('EXPIRE', mk, CLOSED_TTL_S)
  end
  history(id, {at = NOW, by = 'system', action = 'create', to = 'new', note = expl})
  code = 'N'
else
  a.n = tonumber(a.n) + #fresh
  a.x, a.title = expl, title
  if tonumber(a.ua) < NOW then a.ua = NOW end
  if RANK[level] < RANK[a.level] then
    -- A more severe warning raises the whole alert: move it in every index and tighten its clock.
    index(a, 'open', false)
    desk(a, false)
    count(a, -1)
    local from = a.level
    a.level = level
    index(a, 'open', true)
    desk(a, true)
    count(a, 1)
    if not replayed and a.due and a.due ~= '' and tonumber(a.due) > NOW + limit then
      a.due = NOW + limit
      redis.call('ZADD', P .. 'aldue', a.due, id)
    end
    history(id, {at = NOW, by = 'system', action = 'raise', note = expl, level = level, fromLevel = from})
  end
  code = 'U'
end
save(P .. 'al:' .. id, a)

local ek = P .. 'al:' .. id .. ':e'
redis.call('RPUSH', ek, unpack(fresh))
redis.call('LTRIM', ek, -cap, -1)
-- The departments too: the caller publishes the alert's view at once, without another round trip.
return {code, flatten(a), redis.call('HGETALL', P .. 'al:' .. id .. ':d')}
