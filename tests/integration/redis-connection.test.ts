import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startTestRedis } from '../helpers/redis.ts';
import { openRedis } from '../../server/redis/connection.ts';
import { singleNode } from '../../server/redis/target.ts';

describe('a server Redis connection', () => {
  it('logs a lost link once and its return once, and works again after a Redis restart', async () => {
    const redis = await startTestRedis();
    const lines: { level: number; msg: string; connection: string }[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string; connection: string });
          done();
        },
      }),
    );
    const client = openRedis(singleNode({ ...redis.options, retryStrategy: () => 50 }), 'probe', logger);
    try {
      await client.set('k', '1');
      await redis.restart();
      const end = Date.now() + 10_000;
      while (!lines.some((l) => l.msg === 'Redis connection back') && Date.now() < end)
        await new Promise((r) => setTimeout(r, 50));
      expect(lines.map((l) => [l.msg, l.connection])).toEqual([
        ['Redis connection lost; reconnecting', 'probe'],
        ['Redis connection back', 'probe'],
      ]);
      expect(await client.get('k')).toBe('1');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
