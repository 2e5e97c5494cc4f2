import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinedScreen, serverSnapshot, startHubAlone, type HubAlone } from '../helpers/hub-alone.ts';
import type { SnapshotReuse } from '../../server/aggregate/snapshot.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitFor, type TestSocket } from '../helpers/socket-client.ts';

/**
 * A room re-reads only what its notices say changed: counts always, alerts and problems when a
 * notice names them (or names nothing, or after a failed read). The hub's snapshot read is the
 * one thing given (a real snapshot of the real server, recording what the hub let it reuse); the
 * Socket.IO server, the client and the Redis channel the notices come by are real.
 */
let t: TestServer;
let alone: HubAlone;
let socket: TestSocket;
let snapshot: Snapshot;
const reads: SnapshotReuse[] = [];
let failNext = false;
const NOTICES = 'test:hub-parts:notices';

beforeAll(async () => {
  t = await startTestServer();
  snapshot = await serverSnapshot(t, '6207');
  alone = await startHubAlone(t.redis.options, {
    noticeChannels: [NOTICES],
    alertChannel: 'test:hub-parts:alerts',
    readSnapshot: async (_code, reuse) => {
      reads.push(reuse ?? {});
      if (failNext) {
        failNext = false;
        throw new Error('Redis did not answer');
      }
      // Each read differs, so every one goes out as a delta the client can count.
      return { ...snapshot, counts: { ...snapshot.counts, yesterday: { incident: reads.length, dispute: 0 } } };
    },
    maxHz: 50,
  });
}, 60_000);

afterAll(async () => {
  socket?.close();
  await alone?.stop();
  await t?.stop();
});

it('reuses a room’s alerts and problems until a notice names them, and reads them again after a failed read', async () => {
  expect(snapshot.problems, 'the demo county has a problem digest').toBeDefined();
  const screen = joinedScreen(alone, ['6207']);
  socket = screen.socket;
  let deltas = 0;
  socket.on('delta', () => deltas++);
  await screen.joined;
  // The join read everything.
  expect(reads).toEqual([{}]);
  const pub = t.redis.client();
  const notice = async (parts?: string[]) => {
    const before = reads.length;
    await pub.publish(NOTICES, JSON.stringify({ touched: ['620702'], events: [], ...(parts ? { parts } : {}) }));
    await waitFor(() => reads.length > before, 5000, `a read after the notice ${JSON.stringify(parts)}`);
    return reads[reads.length - 1]!;
  };
  const both = (r: SnapshotReuse) => [r.alerts !== undefined, r.problems !== undefined];

  expect(both(await notice(['counts']))).toEqual([true, true]);
  expect(both(await notice(['alerts']))).toEqual([false, true]);
  expect(both(await notice(['problems']))).toEqual([true, false]);
  expect(both(await notice(['counts', 'alerts', 'problems']))).toEqual([false, false]);
  // A notice naming nothing, or naming parts this server does not know, may mean anything.
  expect(both(await notice())).toEqual([false, false]);
  expect(both(await notice(['weather']))).toEqual([false, false]);
  // The reused parts are the last read's: what the room's sockets see does not lose them.
  expect((await notice(['counts'])).alerts?.counts).toEqual(snapshot.alertCounts);

  // An alert notice whose read fails: the alerts are still owed, and the next read takes them.
  failNext = true;
  const failed = await notice(['alerts']);
  expect(failed.alerts).toBeUndefined();
  await waitFor(() => reads.length >= 10, 5000, 'the retry after the failed read');
  const retry = reads[9]!;
  expect(retry.alerts).toBeUndefined();
  expect(retry.problems).toBeDefined();
  await waitFor(() => deltas >= 8, 5000, 'the deltas of the reads');
  await pub.quit();
}, 60_000);
