-- Reads several hashes of one slot at one instant, each whole or only some of its fields: what a
-- MULTI of HGETALLs and HMGETs returns, in one command. A client pays per command (a county's
-- snapshot is ≈ 40 of them), so one script costs the server's main thread about half as much.
-- KEYS: the hashes. ARGV, per key in order: n, then n field names (n = 0: the whole hash).
-- Returns per key: HGETALL's flat field/value list, or HMGET's values (nil where missing).
local out = {}
local a = 1
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[a])
  a = a + 1
  if n == 0 then
    out[i] = redis.call('HGETALL', key)
  else
    out[i] = redis.call('HMGET', key, unpack(ARGV, a, a + n - 1))
    a = a + n
  end
end
return out
