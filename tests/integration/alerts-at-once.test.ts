import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connect, subscribe, waitFor, type TestSocket } from '../helpers/socket-client.ts';
import { killThreatDispute } from '../helpers/kill-threat.ts';
import { storedDispute } from '../helpers/stored-event.ts';
import { until } from '../helpers/until.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { AGGREGATOR_GROUP, createKeys } from '../../server/redis/keys.ts';
import type { AlertView } from '../../shared/schemas/alert.ts';

/**
 * A 命案 marker's red alert is raised as its event is appended (the ingest's hook), not after the
 * aggregator's next read; the aggregator checks every counted event again, for an event whose hook
 * a crash lost. Either way there is one alert, one piece of evidence, and a screen hears it once:
 * the hub takes its own process's alerts at once and drops the copy pub/sub brings back.
 */
const keys = createKeys('62');

async function screen(t: TestServer, code: string): Promise<{ socket: TestSocket; heard: AlertView[] }> {
  const socket = connect(t.url, await t.login('admin', t.adminPassword));
  const heard: AlertView[] = [];
  socket.on('alert', (a) => heard.push(a));
  await waitFor(() => socket.connected, 10_000, 'connected');
  expect((await subscribe(socket, code)).ok).toBe(true);
  return { socket, heard };
}

const ofCase = (alerts: AlertView[], caseId: string) => alerts.filter((a) => a.caseId === caseId);

describe('with no aggregator running', () => {
  let redis: TestRedis;
  let t: TestServer;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await startTestServer({ redis, env: { AGGREGATOR: 'off' } });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });

  it('raises the red alert as the event is appended, and the screen hears it once', async () => {
    const { socket, heard } = await screen(t, '6207');
    const event = killThreatDispute('at-once-1');
    expect((await t.postEvents([event])).status).toBe(200);
    await waitFor(() => heard.length > 0, 5000, 'the alert on the screen');
    // Time for a second copy (pub/sub's echo) to arrive, were it not dropped.
    await new Promise((r) => setTimeout(r, 500));
    expect(heard.map((a) => [a.caseId, a.level])).toEqual([[event.caseId, 'red']]);
    const stored = ofCase(await t.server.alerts.list('62', 'open'), String(event.caseId));
    expect(stored).toHaveLength(1);
    // Nothing counted it: the aggregator is off, so the alert came from the ingest's hook alone.
    expect(await redis.client().hget(keys.open('620702'), 'd')).toBeNull();
    socket.close();
  });

  it("adds a second marker of the same case to its alert (the hook's first try assumes none)", async () => {
    const first = killThreatDispute('at-once-again-1');
    const second = killThreatDispute('at-once-again-2', { caseId: first.caseId });
    expect((await t.postEvents([first])).status).toBe(200);
    await until(
      'the first alert',
      async () => ofCase(await t.server.alerts.list('62', 'open'), String(first.caseId)).length === 1,
      10_000,
    );
    expect((await t.postEvents([second])).status).toBe(200);
    const [alert] = await until(
      'the second piece of evidence',
      async () => {
        const open = ofCase(await t.server.alerts.list('62', 'open'), String(first.caseId));
        return open.length === 1 && open[0]!.count === 2 && open;
      },
      10_000,
    );
    expect(alert!.level).toBe('red');
    expect(ofCase(await t.server.alerts.list('62', 'open'), String(first.caseId))).toHaveLength(1);
  });
});

describe('with the aggregator running', () => {
  let redis: TestRedis;
  let t: TestServer;
  beforeAll(async () => {
    redis = await startTestRedis();
    t = await startTestServer({ redis });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await redis?.stop();
  });

  it('raises the alert of an event appended without the hook (a crash between append and raise)', async () => {
    const event = storedDispute('at-once-lost', Date.now() - 60_000, {
      caseId: 'at-once-lost-case',
      category: 'family',
      severity: 3,
      riskMarkers: ['weapon', 'kill_threat'],
    });
    expect((await appendEvents(redis.client(), keys, [event])).appended).toEqual([true]);
    await until(
      'the aggregator raising the alert',
      async () => ofCase(await t.server.alerts.list('62', 'open'), event.caseId).length === 1,
      10_000,
    );
  });

  it('makes one alert with one piece of evidence of an event both the hook and the aggregator check', async () => {
    const { socket, heard } = await screen(t, '62');
    const event = killThreatDispute('at-once-both');
    expect((await t.postEvents([event])).status).toBe(200);
    const c = redis.client();
    // The batch is acknowledged once its rules (the aggregator's check among them) are done.
    await until(
      'the event counted and its batch acknowledged',
      async () =>
        Number(await c.hget(keys.open('620702'), 'd')) > 0 &&
        Number(((await c.xpending(keys.events, AGGREGATOR_GROUP)) as [number])[0]) === 0,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    const stored = ofCase(await t.server.alerts.list('62', 'open'), String(event.caseId));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.count).toBe(1);
    expect(heard.filter((a) => a.caseId === event.caseId)).toHaveLength(1);
    socket.close();
  });
});
