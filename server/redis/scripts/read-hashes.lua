-- Reads several hashes of one slot at one instant, each whole, by some of its fields, by a field
-- prefix, or summed: what a MULTI of HGETALLs and HMGETs returns, in one command. A client pays per
-- command (a county's snapshot is ≈ 40 of them) and per field of a reply, so one script that
-- returns only what the reader keeps costs the server's main thread much less.
-- KEYS: the hashes. ARGV, per key in order, one of:
--   0                        the whole hash (HGETALL's flat field/value list);
--   n > 0, then n fields     those fields' values (HMGET: nil where missing);
--   -1, n, n prefixes        the fields starting with one of the prefixes, as HGETALL's list;
--   -2, by, also, as         sums: each field's value added to the total named by the first capture
--                            of the Lua pattern `by` (fields it does not match add nothing), and,
--                            when `also` is not empty, the values of the fields the pattern `also`
--                            finds added to the total `as`; as a flat name/total list of the totals
--                            that are not zero (a hash of counters holds no zero either).
local out = {}
local a = 1
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[a])
  a = a + 1
  if n == 0 then
    out[i] = redis.call('HGETALL', key)
  elseif n > 0 then
    out[i] = redis.call('HMGET', key, unpack(ARGV, a, a + n - 1))
    a = a + n
  elseif n == -1 then
    local np = tonumber(ARGV[a])
    local prefixes = {unpack(ARGV, a + 1, a + np)}
    a = a + 1 + np
    local flat = redis.call('HGETALL', key)
    local kept = {}
    for j = 1, #flat, 2 do
      for _, prefix in ipairs(prefixes) do
        if string.sub(flat[j], 1, #prefix) == prefix then
          kept[#kept + 1] = flat[j]
          kept[#kept + 1] = flat[j + 1]
          break
        end
      end
    end
    out[i] = kept
  else
    local by, also, as = ARGV[a], ARGV[a + 1], ARGV[a + 2]
    a = a + 3
    local flat = redis.call('HGETALL', key)
    local sums, names = {}, {}
    local function add(name, v)
      if not sums[name] then
        sums[name] = 0
        names[#names + 1] = name
      end
      sums[name] = sums[name] + v
    end
    for j = 1, #flat, 2 do
      local v = tonumber(flat[j + 1])
      local g = string.match(flat[j], by)
      if g then add(g, v) end
      if also ~= '' and string.find(flat[j], also) then add(as, v) end
    end
    local totals = {}
    for _, name in ipairs(names) do
      if sums[name] ~= 0 then
        totals[#totals + 1] = name
        totals[#totals + 1] = tostring(sums[name])
      end
    end
    out[i] = totals
  end
end
return out
