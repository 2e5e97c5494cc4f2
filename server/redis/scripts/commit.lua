-- Commits what the aggregator computed for a batch (server/aggregate/batch.ts), atomically: case
-- writes, counter increments, SLA queue changes and stream acknowledgements, or nothing at all.
-- The computing happened outside Redis from case states read just before; each case's version `v`
-- must still be the one read, else another aggregator changed it meanwhile and the whole batch is
-- refused (the caller reads again and recomputes). So Redis only writes.
--
-- KEYS[1] events stream (pins the call to the province's slot).
-- ARGV[1] one JSON document (one argument: cheaper to send than ~30 arguments per event):
--   s stream to acknowledge on ('' = none), g group, dt / mt / ct day, month, closed-case TTL s,
--   q SLA queue key,
--   c cases: [key, expected version ('' = none yet), new version ('' = only check), closed 1/0,
--            state JSON string stored as is, summary of the earliest event (false = unchanged)]
--   n counters: [key, retention 'd'/'m'/'-', [field, delta, field, delta …]] (a field reaching 0 is removed)
--   z SLA queue: [op 'a' add / 'r' remove, score, member]
--   xa case index entries to add: [case id, score, key …]; xr to remove: [case id, key …]
--   xc closed index sets written: trimmed below xf (ms) and given the TTL xt (s)
--   a stream entry ids to acknowledge
--   rp replay log (server/replay/): e epoch key, k log key with '*' for the epoch, t TTL s, l records;
--      written only once a replay base exists (the epoch key set), into the epoch current now, so a
--      change is in exactly one of: the base, or the log that follows it
-- Returns {1} when committed, {0, key} when a case's version had moved.

local b = cjson.decode(ARGV[1])

for _, c in ipairs(b.c) do
  if (redis.call('HGET', c[1], 'v') or '') ~= c[2] then return {0, c[1]} end
end
for _, c in ipairs(b.c) do
  if c[3] ~= '' then
    redis.call('HSET', c[1], 'v', c[3], 'j', c[5])
    if c[6] then redis.call('HSET', c[1], 'm', c[6]) end
    if c[4] == 1 then redis.call('EXPIRE', c[1], b.ct) end
  end
end

for _, h in ipairs(b.n) do
  local key, f = h[1], h[3]
  for i = 1, #f, 2 do
    if redis.call('HINCRBY', key, f[i], f[i + 1]) == 0 then redis.call('HDEL', key, f[i]) end
  end
  if h[2] == 'd' then
    redis.call('EXPIRE', key, b.dt)
  elseif h[2] == 'm' then
    redis.call('EXPIRE', key, b.mt)
  end
end

for _, z in ipairs(b.z) do
  if z[1] == 'a' then
    redis.call('ZADD', b.q, z[2], z[3])
  else
    redis.call('ZREM', b.q, z[3])
  end
end

for _, x in ipairs(b.xr) do
  for i = 2, #x do redis.call('ZREM', x[i], x[1]) end
end
for _, x in ipairs(b.xa) do
  for i = 3, #x do redis.call('ZADD', x[i], x[2], x[1]) end
end
for _, key in ipairs(b.xc) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. b.xf)
  redis.call('EXPIRE', key, b.xt)
end

if b.rp and #b.rp.l > 0 then
  local epoch = redis.call('GET', b.rp.e)
  if epoch then
    local at = string.find(b.rp.k, '*', 1, true)
    local log = string.sub(b.rp.k, 1, at - 1) .. epoch .. string.sub(b.rp.k, at + 1)
    redis.call('RPUSH', log, unpack(b.rp.l))
    redis.call('EXPIRE', log, b.rp.t)
  end
end

if b.s ~= '' and #b.a > 0 then redis.call('XACK', b.s, b.g, unpack(b.a)) end
return {1}
