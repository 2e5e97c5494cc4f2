-- One step of an alert's life, checked and applied atomically: two officers signing at the same
-- instant are serialised here, and the second finds the alert already signed.
-- ARGV: 1 prefix, 2 now, 3 id, 4 action, 5 actor, 6 note, 7 allowed states (comma list),
--       8 target state ('' = unchanged), 9 sign limit ms (escalate), 10 argument
--       (dispatch: JSON array of departments; checkin: the department; escalate: 'auto' or '';
--       resolve: the reason to resolve although departments have not checked in, or ''),
--       11 the actor's home region: the alert's desk (its region, for a note) must lie in it ('' = any).
-- Returns {'OK', alert flat} | {'NOTFOUND'} | {'REFUSED', reason, alert flat}.

local id, action, actor, note = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local target, limit, arg = ARGV[8], tonumber(ARGV[9]), ARGV[10]
local key = P .. 'al:' .. id
local a = load(key)
if not a.id then return {'NOTFOUND'} end

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
  a.sb, a.sa, a.due = actor, NOW, ''
  redis.call('ZREM', P .. 'aldue', id)
elseif action == 'dispatch' then
  local added = {}
  for _, name in ipairs(cjson.decode(arg)) do
    if redis.call('HEXISTS', dk, name) == 0 then
      -- `o` keeps the order departments were named in (a hash has none of its own).
      redis.call('HSET', dk, name, cjson.encode({at = NOW, by = actor, o = redis.call('HLEN', dk) + 1}))
      added[#added + 1] = name
    end
  end
  if #added == 0 then return refuse('already_dispatched') end
  entry.departments = added
elseif action == 'checkin' then
  local raw = redis.call('HGET', dk, arg)
  if not raw then return refuse('no_department') end
  local d = cjson.decode(raw)
  if d.ci then return refuse('checked_in') end
  d.ci, d.cb = NOW, actor
  redis.call('HSET', dk, arg, cjson.encode(d))
  entry.departments = {arg}
elseif action == 'resolve' then
  -- 中心吹哨、部门报到: a department that never reported cannot have done its part, unless the
  -- officer says why; then the history names them beside the reason.
  local flat = redis.call('HGETALL', dk)
  local waiting = {}
  for i = 1, #flat, 2 do
    local d = cjson.decode(flat[i + 1])
    if not d.ci then waiting[#waiting + 1] = {name = flat[i], o = d.o or 0} end
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
  a.sup, a.supBy = '1', actor
end

if target ~= '' then
  entry.from, entry.to = a.state, target
  a.state = target
end
a.by, a.ua = actor, NOW
save(key, a)
if #cleared > 0 then redis.call('HDEL', key, unpack(cleared)) end
history(id, entry)
return {'OK', flatten(a)}
