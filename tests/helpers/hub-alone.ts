import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import type { RedisOptions } from 'ioredis';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/log.ts';
import { createMetrics } from '../../server/metrics.ts';
import { openRedis } from '../../server/redis/connection.ts';
import { singleNode } from '../../server/redis/target.ts';
import { startHub, type Hub, type HubOptions, type IO } from '../../server/realtime/hub.ts';
import type { JoinReply } from '../../server/realtime/join-reply.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { TestServer } from './server.ts';
import { connect, type TestSocket } from './socket-client.ts';

/**
 * A realtime hub alone on a real Socket.IO server, subscribed to real Redis channels, with the one
 * thing a hub test gives: its snapshot read (and any other option). Closes everything it opened.
 */
export interface HubAlone {
  hub: Hub;
  io: IO;
  /** The Socket.IO server's address, for test clients. */
  url: string;
  stop(): Promise<void>;
}

export async function startHubAlone(
  redis: RedisOptions,
  options: Pick<HubOptions, 'readSnapshot' | 'noticeChannels' | 'alertChannel'> & Partial<HubOptions>,
  ioOptions: Partial<ServerOptions> = {},
): Promise<HubAlone> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, ioOptions) as IO;
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const logger = createLogger('silent', false);
  const subscriber = openRedis(singleNode(redis), 'test-hub-sub', logger, { subscriber: true });
  const hub = await startHub({
    io,
    subscriber,
    regionName: (c) => c,
    clock: systemClock,
    logger,
    metrics: createMetrics(),
    ...options,
  });
  return {
    hub,
    io,
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    async stop() {
      await hub.stop();
      subscriber.disconnect();
      await new Promise((r) => io.close(r));
    },
  };
}

/** A region's snapshot as the real server's API gives it to its admin: what a hub test's read returns. */
export async function serverSnapshot(t: TestServer, code: string): Promise<Snapshot> {
  const token = await t.login('admin', t.adminPassword);
  const res = await fetch(`${t.url}/api/v1/snapshot/${code}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as Snapshot;
}

/**
 * A client connected to the hub alone, which the hub joins to `codes` as its subscribe handler
 * would; `joined` settles with the join replies.
 */
export function joinedScreen(
  alone: HubAlone,
  codes: string[],
): { socket: TestSocket; joined: Promise<(JoinReply | undefined)[]> } {
  const joined = new Promise<(JoinReply | undefined)[]>((resolve) =>
    alone.io.once('connection', (s) => void Promise.all(codes.map((c) => alone.hub.join(s.id, c))).then(resolve)),
  );
  return { socket: connect(alone.url, 'unused'), joined };
}
