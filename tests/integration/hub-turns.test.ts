import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinedScreen, serverSnapshot, startHubAlone, type HubAlone } from '../helpers/hub-alone.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitFor, type TestSocket } from '../helpers/socket-client.ts';

/**
 * Rooms whose reads come back together are diffed and sent one per turn of the event loop, so
 * whatever else came in meanwhile (an ingest's reply, an alert) runs between them rather than after
 * all of them. The hub's snapshot read is the one thing given (a real snapshot of the real server,
 * held until released); the Socket.IO server, the client and the notice channel are real.
 */
let t: TestServer;
let alone: HubAlone;
let socket: TestSocket;
let snapshot: Snapshot;
const NOTICES = 'test:hub-turns:notices';
const ROOMS = ['620702', '620721', '620722', '620723', '620724', '620725', '620102', '620103', '620104', '620105'];
let hold = false;
const held: (() => void)[] = [];
/** Snapshots the hub has started to diff (it reads every section of one to diff it). */
let diffed = 0;

/** A snapshot whose counts differ from the last one's, and which tells when its counts are first read. */
function counted(s: Snapshot, n: number): Snapshot {
  const counts = { ...s.counts, yesterday: { incident: n, dispute: 0 } };
  let seen = false;
  return Object.defineProperty({ ...s }, 'counts', {
    enumerable: true,
    get: () => {
      if (!seen) diffed++;
      seen = true;
      return counts;
    },
  });
}

beforeAll(async () => {
  t = await startTestServer();
  snapshot = await serverSnapshot(t, '6207');
  let reads = 0;
  alone = await startHubAlone(t.redis.options, {
    noticeChannels: [NOTICES],
    alertChannel: 'test:hub-turns:alerts',
    readSnapshot: () => {
      const s = counted(snapshot, ++reads);
      if (!hold) return Promise.resolve(s);
      return new Promise((resolve) => held.push(() => resolve(s)));
    },
    maxHz: 50,
    maxConcurrentReads: ROOMS.length,
  });
}, 60_000);

afterAll(async () => {
  socket?.close();
  await alone?.stop();
  await t?.stop();
});

it('diffs and sends the rooms whose reads came back together one per turn of the event loop', async () => {
  expect(Object.keys(snapshot)).toContain('counts');
  const screen = joinedScreen(alone, ROOMS);
  socket = screen.socket;
  let deltas = 0;
  socket.on('delta', () => deltas++);
  await screen.joined;
  hold = true;
  const pub = t.redis.client();
  await pub.publish(NOTICES, JSON.stringify({ touched: ROOMS, events: [], parts: ['counts'] }));
  await waitFor(() => held.length === ROOMS.length, 5000, 'every room reading');
  const before = diffed;
  // Every read answers at once, as the replies of one socket read do; then the next turn's callback.
  for (const release of held.splice(0)) release();
  const atNextTurn = await new Promise<number>((resolve) => setImmediate(() => resolve(diffed - before)));
  await waitFor(() => diffed - before === ROOMS.length, 5000, 'every room diffed');
  // Without turns all ten were diffed before the next turn began.
  expect(atNextTurn).toBeLessThanOrEqual(1);
  await waitFor(() => deltas >= ROOMS.length, 5000, 'a delta for every room');
  await pub.quit();
});
