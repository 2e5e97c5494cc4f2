import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinedScreen, serverSnapshot, startHubAlone, type HubAlone } from '../helpers/hub-alone.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitFor, type TestSocket } from '../helpers/socket-client.ts';

/**
 * A screen that subscribes while an alert is raised: the alert may land after the snapshot's read
 * and before the screen is in its room. The hub's own snapshot read is held open here (its
 * `readSnapshot` is the one thing given, a real snapshot of the real server released on cue); the
 * Socket.IO server, the client and the Redis channel the alert comes by are real.
 */
let t: TestServer;
let alone: HubAlone;
let socket: TestSocket;
let snapshot: Snapshot;
let release: () => void = () => undefined;
const CHANNEL = 'test:hub-join:alerts';

beforeAll(async () => {
  t = await startTestServer();
  snapshot = await serverSnapshot(t, '6207');
  alone = await startHubAlone(t.redis.options, {
    noticeChannels: ['test:hub-join:notices'],
    alertChannel: CHANNEL,
    readSnapshot: () => new Promise((r) => (release = () => r(snapshot))),
  });
}, 60_000);

afterAll(async () => {
  socket?.close();
  await alone?.stop();
  await t?.stop();
});

it('sends an alert raised during a joining screen’s snapshot read to that screen once it has joined', async () => {
  const screen = joinedScreen(alone, ['6207']);
  socket = screen.socket;
  const heard: AlertView[] = [];
  socket.on('alert', (a) => heard.push(a));
  await waitFor(() => socket.connected, 10_000, 'connected');
  // The read is in flight; the alert is raised and published now.
  const alert = { id: 'al-during-join', region: '620702001001', level: 'red', title: '命案风险' } as AlertView;
  const pub = t.redis.client();
  for (let i = 0; Number(((await pub.pubsub('NUMSUB', CHANNEL)) as [string, number])[1]) === 0; i++) {
    if (i > 100) throw new Error('the hub never subscribed to the alert channel');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await pub.publish(CHANNEL, JSON.stringify(alert))).toBe(1);
  await new Promise((r) => setTimeout(r, 200));
  release();
  expect((await screen.joined)[0]?.snapshot).toMatchObject({ seq: expect.any(Number) });
  await waitFor(() => heard.length > 0, 5000, 'the alert on the joined screen');
  expect(heard.map((a) => a.id)).toEqual(['al-during-join']);
  await pub.quit();
});
