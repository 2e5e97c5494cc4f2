import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/redis/embedded.ts';

/** A free TCP port on loopback, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  options: RedisOptions;
  dir: string;
  server: EmbeddedRedis;
  /** A fresh client; closed by stop(). */
  client(): Redis;
  /** Kills and starts the same redis-server again on its files (AOF), like a Redis restart. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real redis-server on a free port with AOF in a temp dir: no mocks. */
export async function startTestRedis(
  opts: { appendonly?: boolean; appendfsync?: 'always' | 'everysec' } = {},
): Promise<TestRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-redis-'));
  const port = await freePort();
  const clients: Redis[] = [];
  // everysec unless asked: the fsync policy only matters in a host crash, which no test makes, and
  // an fsync per write would slow every suite that writes a lot, one command at a time.
  const start = () =>
    startEmbeddedRedis({ dir, port, appendonly: opts.appendonly ?? true, appendfsync: opts.appendfsync ?? 'everysec' });
  const t: TestRedis = {
    options: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    dir,
    server: await start(),
    client() {
      const c = new Redis(t.options);
      clients.push(c);
      return c;
    },
    async restart() {
      await t.server.stop();
      t.server = await start();
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await t.server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
