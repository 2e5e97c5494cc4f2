-- Moves one case kept as a key of its own (versions before the case buckets) into its bucket
-- (server/aggregate/legacy-cases.ts), provided the key still holds the version read.
-- KEYS[1] the case's old key, KEYS[2] its bucket. ARGV[1] case id, ARGV[2] the version read ('' for
-- a case stored before versions), ARGV[3] the value to store (case-stored.lua).
-- Returns 1 when moved, 0 when the key is gone (moved by another process), -1 when it changed.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[2] then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('DEL', KEYS[1])
return 1
