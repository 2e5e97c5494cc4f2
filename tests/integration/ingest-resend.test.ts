import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort, startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { storedDispute as event } from '../helpers/stored-event.ts';

// A connection that drops after Redis ran an ingest call but before its answer arrived: ioredis
// sends the call again on the new connection. The answer must be what the first run did (its
// events appended), not "duplicates" of the events that same call wrote; and nothing is written twice.
const keys = createKeys('62');
let testRedis: TestRedis;
let proxy: net.Server;
let proxyPort: number;
let dropped = 0;
/** When set, the next ingest answer from Redis is swallowed and the client's connection cut. */
let armed = false;

beforeAll(async () => {
  testRedis = await startTestRedis();
  proxyPort = await freePort();
  proxy = net.createServer((client) => {
    const upstream = net.connect(Number(testRedis.options.port), '127.0.0.1');
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      // The ingest script answers one code per event: a bulk string of A and D.
      if (armed && /^\$\d+\r\n[AD]+\r\n/.test(d.toString('latin1'))) {
        armed = false;
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  proxy?.close();
  await testRedis?.stop();
});

describe('an ingest call re-sent after a dropped connection', () => {
  it('answers what its first run did, and writes nothing twice', async () => {
    const viaProxy = new Redis({ host: '127.0.0.1', port: proxyPort, maxRetriesPerRequest: null });
    viaProxy.on('error', () => undefined);
    const direct = testRedis.client();
    try {
      const now = Date.now();
      const events = ['r1', 'r2', 'r3'].map((id) => event(id, now));
      armed = true;
      const first = await appendEvents(viaProxy, keys, events, 0, now);
      expect(dropped, 'the first answer was cut off').toBe(1);
      expect(first.appended).toEqual([true, true, true]);
      expect(await direct.xlen(keys.events)).toBe(3);

      // A later call with the same ids is a true duplicate, and says so.
      const again = await appendEvents(viaProxy, keys, events.slice(0, 2), 0, now);
      expect(again.appended).toEqual([false, false]);
      expect(await direct.xlen(keys.events)).toBe(3);
    } finally {
      viaProxy.disconnect();
    }
  });
});
