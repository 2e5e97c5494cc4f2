import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../server/log.ts';
import { openRedis } from '../../server/redis/connection.ts';
import { singleNode } from '../../server/redis/target.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree } from '../../server/regions/tree.ts';
import { readSnapshot } from '../../server/aggregate/snapshot.ts';
import type { Hub, IO } from '../../server/realtime/hub.ts';
import { startHubAlone, type HubAlone } from '../helpers/hub-alone.ts';
import { preEncodingParser } from '../../server/realtime/pre-encoded.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { connect, RegionView, waitFor, type TestSocket } from '../helpers/socket-client.ts';

/**
 * Screens joining a room one after another in a reconnect storm: a later one gets the snapshot an
 * earlier batch read while nothing has changed since, and a fresh read once anything has. The
 * hub's `readSnapshot` is the one thing given (a real snapshot of an empty Redis whose counts the
 * test moves, and a count of the reads); Socket.IO with the server's parser, the clients and the
 * Redis channels the notices and alerts come by are real.
 */
let redis: TestRedis;
let pub: Redis;
let hub: Hub;
let io: IO;
let alone: HubAlone;
let url: string;
let base: Snapshot;
let incidents = 0;
let extraAlerts: AlertView[] = [];
let reads = 0;
const sockets: TestSocket[] = [];
const NOTICES = 'test:hub-reuse:notices';
const ALERTS = 'test:hub-reuse:alerts';
const logger = createLogger('warn', false);

beforeAll(async () => {
  redis = await startTestRedis({ appendonly: false });
  pub = redis.client();
  const tree = await loadRegionTree('62');
  const target = singleNode(redis.options);
  const read = openRedis(target, 'test-hub-read', logger);
  base = (await readSnapshot(
    { redis: read, keys: createKeys('62'), region: (c) => tree.info(c) },
    '6207',
    Date.now(),
  ))!;
  read.disconnect();
  alone = await startHubAlone(
    redis.options,
    {
      noticeChannels: [NOTICES],
      alertChannel: ALERTS,
      readSnapshot: (code) => {
        reads++;
        const today = { ...base.counts.today, incident: incidents };
        return Promise.resolve({
          ...base,
          region: { ...base.region, code },
          counts: { ...base.counts, today },
          alerts: extraAlerts,
        });
      },
      // Long enough that the window never decides this test, however slow the machine.
      reuseJoinMs: 120_000,
    },
    { parser: preEncodingParser },
  );
  ({ hub, io, url } = alone);
  io.on('connection', (s) => {
    s.on('subscribe', (code, ack) => {
      void hub.join(s.id, code).then((reply) => ack(reply!.ack(s.data?.publicMode === true).asSent()));
    });
  });
  for (let i = 0; Number(((await pub.pubsub('NUMSUB', ALERTS)) as [string, number])[1]) === 0; i++) {
    if (i > 100) throw new Error('the hub never subscribed to the alert channel');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await alone?.stop();
  await redis?.stop();
});

beforeEach(() => {
  incidents = 0;
  extraAlerts = [];
});

/** A screen connected and showing `code` (snapshot, then deltas in sequence), and the alerts it heard. */
async function screen(code: string): Promise<RegionView & { alertsHeard: AlertView[] }> {
  const s = connect(url, 'unused');
  sockets.push(s);
  const alertsHeard: AlertView[] = [];
  s.on('alert', (a) => alertsHeard.push(a));
  await waitFor(() => s.connected, 10_000, 'connected');
  const v = Object.assign(new RegionView(s, code), { alertsHeard });
  const reply = await v.start();
  expect(reply.ok).toBe(true);
  return v;
}

it('gives a screen joining after another, while nothing changed, that snapshot without a read; then both follow the deltas', async () => {
  const r0 = reads;
  const first = await screen('620702');
  expect(reads).toBe(r0 + 1);
  const second = await screen('620702');
  // Served from the first screen's read, byte for byte the same reply.
  expect(reads).toBe(r0 + 1);
  expect(second.state).toEqual(first.state);

  incidents = 5;
  await pub.publish(NOTICES, JSON.stringify({ touched: ['620702'], events: [] }));
  await waitFor(() => [first, second].every((v) => v.state!.counts.today.incident === 5), 10_000, 'the delta');
  expect(second.state!.seq).toBe(first.state!.seq);
  expect(first.resyncs + second.resyncs).toBe(0);

  // The room moved on: the kept snapshot is stale, and the next screen reads.
  const r1 = reads;
  const third = await screen('620702');
  expect(reads).toBe(r1 + 1);
  expect(third.state!.counts.today.incident).toBe(5);
  expect(third.state!.seq).toBe(first.state!.seq);
});

it('reads again for a screen joining after an alert was heard (alerts are not in deltas)', async () => {
  const first = await screen('620721');
  const alert = { id: 'al-reuse', region: '620721100', level: 'red', title: '命案风险' } as AlertView;
  extraAlerts = [alert];
  expect(await pub.publish(ALERTS, JSON.stringify(alert))).toBe(1);
  await waitFor(() => first.alertsHeard.length > 0, 10_000, 'the alert on the first screen');

  const r0 = reads;
  const second = await screen('620721');
  expect(reads).toBe(r0 + 1);
  expect(second.state!.alerts.map((a) => a.id)).toEqual(['al-reuse']);
});
