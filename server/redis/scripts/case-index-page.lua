-- A region's page and count, read from county case-index sets (server/aggregate/case-index.ts):
-- a county set's members are `<place>:<case id>`, `<place>` the digits of the case's region below
-- the county. A province or city reads every county set under it (they all carry the province's
-- hash tag, so one call); a township or village reads its county's sets and keeps the members
-- whose place starts with ARGV[2]. Filtering and merging here return the page and the counts, not
-- the sets' thousands of members.
--
-- KEYS the sets (any number, one province's).
-- ARGV[1] max score of the window, ARGV[2] the place prefix ('' every member),
-- ARGV[3] n: the page's size (0: counts only), ARGV[4] cursor score ('' none), ARGV[5] cursor case
-- id: an entry is after the cursor when its score is lower, or equal with a lower id.
-- ARGV[6] '1' to count, '0' not to (each count then 0): a township's or village's count scans all
-- of its county's sets, which a page of its newest cases does not need.
-- Then per key, from ARGV[7 + 3(i - 1)]: the min score of KEYS[i] in the window (as ZRANGE BYSCORE
-- takes it: a number, '-inf', '(n'); the highest score KEYS[i] can hold ('+inf' unknown: a set of
-- one day holds no later case), so a set wholly below the page's edge is not read; '1' when the
-- window holds all of KEYS[i] (its count is then its size), else '0'.
-- Returns #KEYS counts (members of each set within [min, max] and the place), then up to n
-- entries `id, score, id, score …` after the cursor, in the list's order (score, then case id,
-- both descending).
--
-- Redis orders equal scores by member, which is place first: entries tied on the score of a
-- page's edge are all read and sorted by id before the page is cut, so a page boundary inside a
-- tie neither skips nor repeats a case.

local max, place, want = ARGV[1], ARGV[2], tonumber(ARGV[3])
local cs = ARGV[4] ~= '' and tonumber(ARGV[4]) or nil
local cid = ARGV[5]
local counting = ARGV[6] == '1'
local CHUNK = 500

-- The case id of a member whose place matches, else nil.
local function match(m)
  local colon = string.find(m, ':', 1, true)
  if not colon then return nil end
  if #place > colon - 1 or string.sub(m, 1, #place) ~= place then return nil end
  return string.sub(m, colon + 1)
end

local reply = {}
local function arg(i, k) return ARGV[4 + 3 * i + k] end

for i = 1, #KEYS do
  local min = arg(i, 0)
  if not counting then
    reply[i] = 0
  elseif place == '' and arg(i, 2) == '1' then
    reply[i] = redis.call('ZCARD', KEYS[i])
  elseif place == '' then
    reply[i] = redis.call('ZCOUNT', KEYS[i], min, max)
  else
    local n, offset = 0, 0
    while true do
      local ms = redis.call('ZRANGE', KEYS[i], min, max, 'BYSCORE', 'LIMIT', offset, CHUNK)
      for _, m in ipairs(ms) do
        if match(m) then n = n + 1 end
      end
      if #ms < CHUNK then break end
      offset = offset + CHUNK
    end
    reply[i] = n
  end
end
if want == 0 then return reply end

-- The page's top: the cursor's score when it is below the window's max.
local top = max
if cs and cs < tonumber(max) then top = ARGV[4] end

local function better(a, b)
  if a[2] ~= b[2] then return a[2] > b[2] end
  return a[1] > b[1]
end

-- `out` never keeps more than the page once it has filled it; `edge` is then its last score, and a
-- later set is read only down to it (an entry below it cannot make the page).
local out = {}
local edge, edgeStr = nil, nil
local chunk = place == '' and want + 1 or CHUNK
for i = 1, #KEYS do
  local low = arg(i, 0)
  local cap = tonumber(arg(i, 1))
  if edge then
    local l = tonumber(low)
    if l ~= nil and l < edge then low = edgeStr end
  end
  local offset, mine, own = 0, 0, nil
  -- Nothing in a set wholly below the page's edge can make the page.
  while not (edge and cap and cap < edge) do
    local flat = redis.call('ZRANGE', KEYS[i], top, low, 'BYSCORE', 'REV', 'LIMIT', offset, chunk, 'WITHSCORES')
    local stop = false
    for j = 1, #flat, 2 do
      local score = tonumber(flat[j + 1])
      if own and score < own then
        stop = true
        break
      end
      local id = match(flat[j])
      if id and (not cs or score < cs or (score == cs and id < cid)) then
        out[#out + 1] = {id, score, flat[j + 1]}
        mine = mine + 1
        if not own and mine >= want then own = score end
      end
    end
    if stop or #flat < chunk * 2 then break end
    offset = offset + chunk
  end
  -- Sorted only when this set added to it: a province reads thousands of sets (a county's closed
  -- cases are a set a day), most of them entirely below the page's edge.
  if mine > 0 and #out >= want then
    table.sort(out, better)
    for k = #out, want + 1, -1 do out[k] = nil end
    edge, edgeStr = out[want][2], out[want][3]
  end
end

table.sort(out, better)
for i = 1, math.min(want, #out) do
  reply[#reply + 1] = out[i][1]
  reply[#reply + 1] = out[i][3]
end
return reply
