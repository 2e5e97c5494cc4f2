-- A township's or village's part of its county's case-index set (server/aggregate/case-index.ts):
-- the set's members are `<place>:<case id>`, `<place>` the digits of the case's region below the
-- county; the members whose place starts with ARGV[3] are the region's. Filtering here returns the
-- page and the count, not the county's thousands of members.
--
-- KEYS[1] the county's set.
-- ARGV[1] max score, ARGV[2] min score (as ZRANGE BYSCORE takes them: a number, '-inf', '(n').
-- ARGV[3] the place prefix ('' every member).
-- ARGV[4] 'count': returns how many members match within [min, max];
--         else n: returns up to n matching entries `{id, score, id, score …}` after the cursor,
--         in the list's order (score, then case id, both descending).
-- ARGV[5] cursor score ('' none), ARGV[6] cursor case id: an entry is after it when its score is
--         lower, or equal with a lower id.
--
-- Redis orders equal scores by member, which here is place first: entries tied on the score of
-- the page's edge are all read and sorted by id before the page is cut, so a page boundary inside
-- a tie neither skips nor repeats a case.

local key, max, min, place = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local CHUNK = 500

-- The case id of a member whose place matches, else nil.
local function match(m)
  local colon = string.find(m, ':', 1, true)
  if not colon then return nil end
  if string.sub(m, 1, #place) ~= place or #place > colon - 1 then return nil end
  return string.sub(m, colon + 1)
end

if ARGV[4] == 'count' then
  local n, offset = 0, 0
  while true do
    local ms = redis.call('ZRANGE', key, min, max, 'BYSCORE', 'LIMIT', offset, CHUNK)
    for _, m in ipairs(ms) do
      if match(m) then n = n + 1 end
    end
    if #ms < CHUNK then return n end
    offset = offset + CHUNK
  end
end

local want = tonumber(ARGV[4])
local cs = ARGV[5] ~= '' and tonumber(ARGV[5]) or nil
local cid = ARGV[6]
local out = {}
local edge = nil
local offset = 0
while true do
  local flat = redis.call('ZRANGE', key, max, min, 'BYSCORE', 'REV', 'LIMIT', offset, CHUNK, 'WITHSCORES')
  local stop = false
  for i = 1, #flat, 2 do
    local score = tonumber(flat[i + 1])
    if edge and score < edge then
      stop = true
      break
    end
    local id = match(flat[i])
    if id and (not cs or score < cs or (score == cs and id < cid)) then
      out[#out + 1] = {id, score, flat[i + 1]}
      if not edge and #out >= want then edge = score end
    end
  end
  if stop or #flat < CHUNK * 2 then break end
  offset = offset + CHUNK
end

table.sort(out, function(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end)
local reply = {}
for i = 1, math.min(want, #out) do
  reply[#reply + 1] = out[i][1]
  reply[#reply + 1] = out[i][3]
end
return reply
