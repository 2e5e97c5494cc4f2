-- One step of an alert's life, checked and applied atomically: two officers signing at the same
-- instant are serialised here, and the second finds the alert already signed.
-- ARGV: 1 prefix, 2 now, 3 id, 4 action, 5 actor, 6 note, 7 allowed states (comma list),
--       8 target state ('' = unchanged), 9 sign limit ms (escalate), 10 argument
--       (dispatch: JSON array of departments; checkin: the department; escalate: 'auto' or '';
--       resolve: the reason to resolve although departments have not checked in, or ''),
--       11 the actor's home region: the alert's desk (its region, for a note) must lie in it ('' = any),
--       12 the alert's desk as the caller read it (the desks it declared in KEYS follow from it),
--       13 '1' for a step of replayed history (ARGV[2] is then when it happened; the simulator's
--       desks settle the backfill's alerts, server/simulator/settle-history.ts).
--       dispatch's argument is a JSON array of {k (hash field: registry id or ad-hoc name), nm, id?, ah?, rb
--       (report-in deadline ms)}; checkin, feedback, assist and late take JSON {k, ob?, r?, t?, res?};
--       supervise JSON {reg (the supervising level), dl?, req?}.
-- Returns {'OK', alert flat} | {'NOTFOUND'} | {'REFUSED', reason, alert flat}, or {'RETRY'} when the
-- desk moved since the caller read it.

local id, action, actor, note = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local target, limit, arg = ARGV[8], tonumber(ARGV[9]), ARGV[10]
local key = P .. 'al:' .. id
local a = load(key)
if not a.id then return {'NOTFOUND'} end
if a.desk ~= ARGV[12] then return {'RETRY'} end

-- Checked here too, not only by the route: the timer may have moved the desk up meanwhile.
local scope = ARGV[11]
local owner = (action == 'note') and a.region or a.desk
if scope ~= '' and string.sub(owner, 1, #scope) ~= scope then return {'REFUSED', 'out_of_scope', flatten(a)} end

local allowed = {}
for s in string.gmatch(ARGV[7], '[^,]+') do allowed[s] = true end
local function refuse(why) return {'REFUSED', why, flatten(a)} end
if not allowed[a.state] then
  -- A deadline left behind by a state that no longer needs signing must not be retried forever.
  if action == 'escalate' and arg == 'auto' then redis.call('ZREM', P .. 'aldue', id) end
  if action == 'late' then redis.call('ZREM', P .. 'alrep', id .. '\n' .. cjson.decode(arg).k) end
  return refuse('state')
end

local entry = {at = NOW, by = actor, action = action}
if note ~= '' then entry.note = note end
local cleared = {}
local dk = P .. 'al:' .. id .. ':d'

if action == 'escalate' then
  if arg == 'auto' then
    -- Several processes run the timer: only the one that finds the deadline still passed acts.
    local due = redis.call('ZSCORE', P .. 'aldue', id)
    if not due or tonumber(due) > NOW then return refuse('not_due') end
  end
  local parent = parentOf(a.desk)
  if not parent then
    -- Nowhere higher to go: the timer stops, but the deadline stays on the alert so the top desk
    -- sees how long it has been overdue.
    if arg == 'auto' then redis.call('ZREM', P .. 'aldue', id) end
    return refuse('top')
  end
  desk(a, false)
  a.desk = parent
  desk(a, true)
  a.due = NOW + limit
  redis.call('ZADD', P .. 'aldue', a.due, id)
  -- The new desk signs for itself; the earlier signature stays in the history.
  a.sb, a.sa = nil, nil
  cleared = {'sb', 'sa'}
  entry.desk = parent
elseif action == 'ack' then
  -- The deadline the signature met or missed, for 签收及时率.
  if a.due and a.due ~= '' then entry.deadline = tonumber(a.due) end
  a.sb, a.sa, a.due = actor, NOW, ''
  redis.call('ZREM', P .. 'aldue', id)
elseif action == 'dispatch' then
  local added = {}
  for _, t in ipairs(cjson.decode(arg)) do
    if redis.call('HEXISTS', dk, t.k) == 0 then
      -- `o` keeps the order departments were named in (a hash has none of its own).
      local d = {at = NOW, by = actor, o = redis.call('HLEN', dk) + 1, nm = t.nm, rb = t.rb}
      if t.id then
        d.id = t.id
        redis.call('ZADD', P .. 'altask:' .. t.id, NOW, id)
      end
      if t.ah then d.ah = 1 end
      redis.call('HSET', dk, t.k, cjson.encode(d))
      -- A department of replayed history reports in (or not) in the same settling, at its own
      -- time: the report-in sweep must not flag it now, between the two steps, and beep a desk.
      if t.rb and ARGV[13] ~= '1' then redis.call('ZADD', P .. 'alrep', t.rb, id .. '\n' .. t.k) end
      added[#added + 1] = t.nm
    end
  end
  if #added == 0 then return refuse('already_dispatched') end
  entry.departments = added
elseif action == 'checkin' or action == 'feedback' or action == 'assist' or action == 'late' then
  local t = cjson.decode(arg)
  local raw = redis.call('HGET', dk, t.k)
  if not raw then return refuse('no_department') end
  local d = cjson.decode(raw)
  entry.departments = {d.nm or t.k}
  if t.ob then entry.onBehalf = true end
  if t.r then entry.reason = t.r end
  if action == 'checkin' then
    if d.ci then return refuse('checked_in') end
    d.ci, d.cb = NOW, actor
    if t.ob then d.ob = t.r or '' end
    redis.call('ZREM', P .. 'alrep', id .. '\n' .. t.k)
  elseif action == 'feedback' then
    -- 事事有回音: a feedback comes from a department that reported in, so 办结 stays consistent.
    if not d.ci then return refuse('dep_not_checked_in') end
    if d.fb then return refuse('fed_back') end
    d.fb = {t = t.t, res = t.res, at = NOW, by = actor}
    if t.ob then d.fb.ob = t.r or '' end
    entry.text, entry.result = t.t, t.res
  elseif action == 'assist' then
    d.as = {t = t.t, at = NOW, by = actor}
    entry.text = t.t
  else
    -- The sweep: only a department still unreported past its deadline is flagged, once.
    if d.ci or d.late or tonumber(d.rb or 0) > NOW then
      if d.ci or d.late then redis.call('ZREM', P .. 'alrep', id .. '\n' .. t.k) end
      return refuse('not_due')
    end
    d.late = NOW
    entry.deadline = d.rb
    redis.call('ZREM', P .. 'alrep', id .. '\n' .. t.k)
  end
  redis.call('HSET', dk, t.k, cjson.encode(d))
elseif action == 'resolve' then
  -- 中心吹哨、部门报到: a department that never reported cannot have done its part, unless the
  -- officer says why; then the history names them beside the reason.
  local flat = redis.call('HGETALL', dk)
  local waiting = {}
  for i = 1, #flat, 2 do
    local d = cjson.decode(flat[i + 1])
    if not d.ci then waiting[#waiting + 1] = {name = d.nm or flat[i], o = d.o or 0} end
  end
  if #waiting > 0 then
    if arg == '' then return refuse('not_checked_in') end
    table.sort(waiting, function(x, y) return x.o < y.o end)
    entry.departments = {}
    for _, w in ipairs(waiting) do entry.departments[#entry.departments + 1] = w.name end
    entry.override = arg
  end
  index(a, 'open', false)
  desk(a, false)
  count(a, -1)
  index(a, 'resolved', true)
  redis.call('ZREM', P .. 'aldue', id)
  a.due = ''
  -- New warnings of the same group start a new alert from here on.
  local gk = P .. 'alg:' .. a.g
  if redis.call('GET', gk) == id then redis.call('DEL', gk) end
elseif action == 'close' then
  index(a, 'resolved', false)
  for _, r in ipairs(ancestors(a.region)) do
    local k = P .. 'alx:' .. r .. ':closed'
    redis.call('ZADD', k, NOW, id)
    redis.call('ZREMRANGEBYRANK', k, 0, -(CLOSED_KEEP + 1))
  end
  for _, k in ipairs({key, key .. ':h', key .. ':e', dk}) do redis.call('EXPIRE', k, CLOSED_TTL_S) end
elseif action == 'supervise' then
  if a.sup == '1' then return refuse('supervised') end
  local t = cjson.decode(arg)
  a.sup, a.supBy, a.supR, a.supAt = '1', actor, t.reg, NOW
  if t.dl then a.supDl = t.dl; entry.deadline = t.dl end
  if t.req then a.supReq = t.req; entry.requirement = t.req end
  -- Listed under the supervising level, by deadline (none: last).
  redis.call('ZADD', P .. 'alsup:' .. t.reg, t.dl or 9007199254740991, id)
end

if target ~= '' then
  entry.from, entry.to = a.state, target
  a.state = target
end
a.by = actor
if not a.ua or tonumber(a.ua) < NOW then a.ua = NOW end
save(key, a)
if #cleared > 0 then redis.call('HDEL', key, unpack(cleared)) end
history(id, entry)
return {'OK', flatten(a)}
