-- Commits what the aggregator computed for a batch (server/aggregate/batch.ts), atomically: case
-- writes, counter increments, SLA queue changes, case index, replay log and stream
-- acknowledgements, or nothing at all. The computing happened outside Redis from case states read
-- just before; each case's version `v` must still be the one read, else another aggregator changed
-- it meanwhile and the whole batch is refused (the caller reads again and recomputes). So Redis
-- only writes.
--
-- KEYS[1] events stream (acknowledged when `s` is 1), KEYS[2] SLA queue, KEYS[3] replay epoch, then
-- every case, counter, index set and replay log the batch writes; the document names them by their
-- index in KEYS (a script touches only keys it is given: server/redis/lua.ts).
-- ARGV[1] one JSON document (one argument: cheaper to send than ~30 arguments per event):
--   s 1 to acknowledge `a` on the stream, 0 not; g group; mt month TTL s (counters without a bucket);
--   now the caller's clock (epoch s). Retention counts from when things happened: the caller turns
--   each expiry into a TTL by its own clock (server/counters/retention.ts says why).
--   c cases: [key index of its bucket, case id, expected version ('' = none yet, or forgotten by
--            `now`), the value to store (case-stored.lua; its version the next), '' to remove it
--            (forgotten already), or false to only check]
--   n counters: [key index, TTL s (from the bucket's end; 0 or less deletes) or 'm' (mt) or '-' (never),
--               [field, delta, field, delta …]] (a field reaching 0 is removed)
--   z SLA queue: [op 'a' add / 'r' remove, score, member]
--   xa case index entries to add: [case id, score, key index …]; xr to remove: [case id, key index …]
--   xc closed index sets written (key indexes): trimmed below xf (ms) and kept xt (s) after the
--      earliest event of their newest case
--   a stream entry ids to acknowledge
--   rp replay log (server/replay/): v the epoch the caller read ('' = no base yet), k the index of
--      that epoch's log key (0 = nothing to log), t TTL s, l records. The epoch must still be `v`
--      (the base script moves it atomically), so a change is in exactly one of: the base, or the
--      log that follows it.
-- Returns {1} when committed, {0, key} when a case's version (or the replay epoch) had moved.

local b = cjson.decode(ARGV[1])

for _, c in ipairs(b.c) do
  local key = KEYS[c[1]]
  if caseVersion(redis.call('HGET', key, c[2]), b.now) ~= c[3] then return {0, key} end
end
if #b.rp.l > 0 and (redis.call('GET', KEYS[3]) or '') ~= b.rp.v then return {0, KEYS[3]} end

for _, c in ipairs(b.c) do
  if c[4] == '' then
    redis.call('HDEL', KEYS[c[1]], c[2])
  elseif c[4] then
    redis.call('HSET', KEYS[c[1]], c[2], c[4])
  end
end

for _, h in ipairs(b.n) do
  local key, f = KEYS[h[1]], h[3]
  for i = 1, #f, 2 do
    if redis.call('HINCRBY', key, f[i], f[i + 1]) == 0 then redis.call('HDEL', key, f[i]) end
  end
  if h[2] == 'm' then
    redis.call('EXPIRE', key, b.mt)
  elseif h[2] ~= '-' then
    redis.call('EXPIRE', key, h[2])
  end
end

for _, z in ipairs(b.z) do
  if z[1] == 'a' then
    redis.call('ZADD', KEYS[2], z[2], z[3])
  else
    redis.call('ZREM', KEYS[2], z[3])
  end
end

for _, x in ipairs(b.xr) do
  for i = 2, #x do redis.call('ZREM', KEYS[x[i]], x[1]) end
end
for _, x in ipairs(b.xa) do
  for i = 3, #x do redis.call('ZADD', KEYS[x[i]], x[2], x[1]) end
end
for _, k in ipairs(b.xc) do
  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', '(' .. b.xf)
  local newest = redis.call('ZRANGE', KEYS[k], -1, -1, 'WITHSCORES')
  if newest[2] then
    redis.call('EXPIRE', KEYS[k], math.max(1, math.floor(tonumber(newest[2]) / 1000) + b.xt - b.now))
  end
end

if b.rp.k > 0 then
  redis.call('RPUSH', KEYS[b.rp.k], unpack(b.rp.l))
  redis.call('EXPIRE', KEYS[b.rp.k], b.rp.t)
end

if b.s == 1 and #b.a > 0 then redis.call('XACK', KEYS[1], b.g, unpack(b.a)) end
return {1}
