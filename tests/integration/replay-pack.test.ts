import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { deflateRawSync } from 'node:zlib';
import { createKeys } from '../../server/redis/keys.ts';
import { runLua } from '../../server/redis/lua.ts';
import { REPLAY_PACK_SCRIPT } from '../../server/redis/scripts.ts';
import { hourRecords, packClosedHours, PACK_GRACE_MS } from '../../server/replay/pack.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

// Packing a replay hour on a real Redis: the records read back in order, a list pushed after the
// packing (a straggling commit) read after the string's and folded in by the next run, and the swap
// refused when the list or the string moved since they were read.
const H = 3_600_000;
const keys = createKeys('62');
let r: TestRedis;
let redis: Redis;

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
});
afterAll(async () => r?.stop());

const read = async (epoch: string, h: number) =>
  hourRecords(
    await redis.getBuffer(keys.replayLogPacked(epoch, h)),
    await redis.lrange(keys.replayLog(epoch, h), 0, -1),
  );

describe('replay packing', () => {
  it('packs closed hours only, keeps order and TTL, and folds a straggler in on the next run', async () => {
    const now = Date.parse('2026-12-01T10:30:00+08:00');
    const epoch = String(now - 5 * H);
    await redis.zadd(keys.replayEpochs, epoch, epoch);
    const open = Math.floor(now / H);
    const closed = open - 2;
    const lines = Array.from({ length: 500 }, (_, i) => `${now - 2 * H + i}|d,620702,family,grid,${i},open,,|`);
    await redis.rpush(keys.replayLog(epoch, closed), ...lines);
    await redis.expire(keys.replayLog(epoch, closed), 1000);
    await redis.rpush(keys.replayLog(epoch, open), 'open-1');
    await redis.rpush(keys.replayTicker(closed), '{"t":1}', '{"t":2}');
    const first = await packClosedHours(redis, keys, now);
    expect(first).toMatchObject({ lists: 2, moved: 0 });
    expect(await redis.exists(keys.replayLog(epoch, closed))).toBe(0);
    expect(await redis.pttl(keys.replayLogPacked(epoch, closed))).toBeGreaterThan(990_000);
    expect(await redis.strlen(keys.replayLogPacked(epoch, closed))).toBeLessThan(lines.join('\n').length / 4);
    expect(await read(epoch, closed)).toEqual(lines);
    expect(await redis.lrange(keys.replayLog(epoch, open), 0, -1)).toEqual(['open-1']);
    expect(
      hourRecords(
        await redis.getBuffer(keys.replayTickerPacked(closed)),
        await redis.lrange(keys.replayTicker(closed), 0, -1),
      ),
    ).toEqual(['{"t":1}', '{"t":2}']);
    // A commit straggling into the packed hour: read after the string's records, then packed in.
    await redis.rpush(keys.replayLog(epoch, closed), 'late-1');
    expect(await read(epoch, closed)).toEqual([...lines, 'late-1']);
    const second = await packClosedHours(redis, keys, now + 10 * 60_000);
    expect(second).toMatchObject({ lists: 1, moved: 0 });
    expect(await redis.exists(keys.replayLog(epoch, closed))).toBe(0);
    expect(await read(epoch, closed)).toEqual([...lines, 'late-1']);
    // The open hour closes PACK_GRACE_MS after its end.
    expect((await packClosedHours(redis, keys, (open + 1) * H + PACK_GRACE_MS - 1)).lists).toBe(0);
    expect((await packClosedHours(redis, keys, (open + 1) * H + PACK_GRACE_MS)).lists).toBe(1);
    expect(await read(epoch, open)).toEqual(['open-1']);
  });

  it('refuses the swap when the list or the packed string moved since they were read', async () => {
    const list = keys.replayLog('1', 7);
    const packed = keys.replayLogPacked('1', 7);
    await redis.rpush(list, 'a', 'b');
    const z = deflateRawSync(Buffer.from('a\nb'));
    // The list grew after it was read (length 1 read, 2 now).
    expect(await runLua<number>(redis, REPLAY_PACK_SCRIPT, [list, packed], [1, '', z, 0] as never)).toBe(0);
    // Another packer wrote the string meanwhile.
    await redis.set(packed, 'other');
    expect(await runLua<number>(redis, REPLAY_PACK_SCRIPT, [list, packed], [2, '', z, 0] as never)).toBe(0);
    expect(await redis.llen(list)).toBe(2);
    expect(await runLua<number>(redis, REPLAY_PACK_SCRIPT, [list, packed], [2, 'other', z, -1] as never)).toBe(1);
    expect(await redis.exists(list)).toBe(0);
    expect(await redis.pttl(packed)).toBe(-1);
  });
});
