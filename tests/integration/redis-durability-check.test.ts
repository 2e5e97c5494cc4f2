import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { checkDurability } from '../../server/redis/durability.ts';

let redis: TestRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

/** A pino logger whose lines are kept for the test to read. */
function capture() {
  const lines: { level: number; msg: string; appendfsync?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('the durability check of an external Redis at start', () => {
  it('warns that acknowledged events can be lost when Redis fsyncs only every second', async () => {
    redis = await startTestRedis({ appendfsync: 'everysec' });
    const { logger, lines } = capture();
    expect(await checkDurability(redis.client(), logger)).toBe(false);
    const warning = lines.find((l) => l.level === 40);
    expect(warning?.appendfsync).toBe('everysec');
    expect(warning?.msg).toMatch(/appendfsync always/);
  });

  it('warns when Redis would keep case buckets as hash tables, or a day of closed cases as a skiplist', async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    const { logger: quiet, lines: none } = capture();
    expect(await checkDurability(redis.client(), quiet)).toBe(true);
    expect(none.filter((l) => l.level === 40)).toEqual([]);
    await redis.client().config('SET', 'hash-max-listpack-value', '64');
    await redis.client().config('SET', 'zset-max-listpack-entries', '128');
    const { logger, lines } = capture();
    expect(await checkDurability(redis.client(), logger)).toBe(true);
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringMatching(/set hash-max-listpack-value 2048/),
      expect.stringMatching(/set zset-max-listpack-entries 512/),
    ]);
  });

  it('warns when Redis keeps no append-only file at all', async () => {
    redis = await startTestRedis({ appendonly: false });
    const { logger, lines } = capture();
    expect(await checkDurability(redis.client(), logger)).toBe(false);
    expect(lines.some((l) => l.level === 40 && /appendonly yes/.test(l.msg))).toBe(true);
  });

  it('says nothing when every write is fsynced before its answer', async () => {
    redis = await startTestRedis({ appendfsync: 'always' });
    const { logger, lines } = capture();
    expect(await checkDurability(redis.client(), logger)).toBe(true);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
