import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { connect, type TestSocket } from '../helpers/socket-client.ts';
import { drained } from '../helpers/drain.ts';
import { ManualClock } from '../../server/clock.ts';
import { startPipeline } from '../../server/aggregate/pipeline.ts';
import { ensureGroup } from '../../server/aggregate/consumer.ts';
import { AGGREGATOR_GROUP, createKeys } from '../../server/redis/keys.ts';
import { createMetrics } from '../../server/metrics.ts';
import { createLogger } from '../../server/log.ts';
import { systemClock } from '../../server/clock.ts';
import { isoBeijing } from '../../server/time/beijing.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { ev } from '../helpers/warnings.ts';
import type { PipelineStatus } from '../../shared/events.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

const keys = createKeys('62');
const BOUNDS = { PIPELINE_LAGGING_SECONDS: '1', PIPELINE_STALLED_SECONDS: '3' };

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function events(n: number, prefix: string): object[] {
  const occurredAt = isoBeijing(Date.now() - 1000);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    caseId: `${prefix}-case-${i}`,
    kind: 'incident',
    category: 'criminal',
    status: 'reported',
    severity: 1,
    region: '620102',
    occurredAt,
    channel: 'police_110',
    summary: '测试事件',
  }));
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
interface Ready {
  ok: boolean;
  pipeline: { state: string; lagEntries: number; oldestAgeSeconds: number };
}

describe('the pipeline lag, read from the stream by every node', () => {
  let redis: TestRedis;
  let front: TestServer;
  let socket: TestSocket | undefined;
  // Stands a minute ahead and still: a stamp from the host's clock could not match it.
  const clock = new ManualClock(Date.now() + 60_000);
  beforeAll(async () => {
    redis = await startTestRedis();
    // A node without an aggregator, as behind a balancer with the workers elsewhere; its hub has a
    // clock of its own, which the pipeline messages must carry.
    front = await startTestServer({ redis, clock, env: { AGGREGATOR: 'off', ...BOUNDS } });
  });
  afterAll(async () => {
    socket?.disconnect();
    await front?.stop();
    await redis?.stop();
  });

  it('reports the real lag without an aggregator, says lagging then stalled in /readyz without leaving 200, and falls back to 0 once a consumer drained it', async () => {
    const token = await front.login('admin', front.adminPassword);
    socket = connect(front.url, token);
    const heard: PipelineStatus[] = [];
    socket.on('pipeline', (p) => heard.push(p));

    expect((await front.postEvents(events(50, 'lag'))).body).toMatchObject({ accepted: 50 });
    const metrics = () => fetch(`${front.url}/metrics`).then((r) => r.text());
    const m = await metrics();
    expect(gauge(m, 'pingan_stream_lag_entries') + gauge(m, 'pingan_stream_pending_entries')).toBe(50);

    const readyz = async () => {
      const r = await fetch(`${front.url}/readyz`);
      return { status: r.status, body: (await r.json()) as Ready };
    };
    const lagging = await until(readyz, (r) => r.body.pipeline.state === 'lagging');
    expect(lagging).toMatchObject({ status: 200, body: { ok: true, pipeline: { lagEntries: 50 } } });
    const stalled = await until(readyz, (r) => r.body.pipeline.state === 'stalled');
    expect(stalled.status).toBe(200);
    expect(stalled.body.pipeline.oldestAgeSeconds).toBeGreaterThan(3);
    expect(gauge(await metrics(), 'pingan_stream_oldest_age_seconds')).toBeGreaterThan(3);

    // Screens were told, stamped with the hub's clock (not the host's).
    await until(
      async () => heard,
      (h) => h.some((p) => p.state === 'stalled'),
    );
    expect(heard.find((p) => p.state === 'stalled')!.at).toBe(isoBeijing(clock.now()));

    // A consumer comes (another node with an aggregator): the backlog drains and every figure returns to 0.
    const worker = await startTestServer({ redis, env: { ...BOUNDS } });
    try {
      await drained(front.server.redis, keys.events, 30_000);
      const after = await until(metrics, (t) => gauge(t, 'pingan_stream_oldest_age_seconds') === 0);
      expect(gauge(after, 'pingan_stream_lag_entries')).toBe(0);
      expect(gauge(after, 'pingan_stream_pending_entries')).toBe(0);
      expect((await readyz()).body.pipeline).toEqual({ state: 'ok', lagEntries: 0, oldestAgeSeconds: 0 });
      await until(
        async () => heard.at(-1),
        (p) => p?.state === 'ok',
      );
      const res = await fetch(`${front.url}/api/v1/snapshot/62`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await res.json()) as Snapshot).counts.today.incident).toBe(50);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});

describe('consumers that died', () => {
  let redis: TestRedis;
  const conns: Redis[] = [];
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await redis?.stop();
  });

  it('are removed from the group once their entries were claimed, and never while they hold entries', async () => {
    const conn = () => {
      const c = redis.client();
      conns.push(c);
      return c;
    };
    const r = conn();
    await ensureGroup(r, keys.events);
    const now = Date.now();
    await appendEvents(
      r,
      keys,
      Array.from({ length: 5 }, (_, i) => ev({ id: `dead-${i}`, ts: now + i })),
    );
    // A consumer that reads and dies before acknowledging.
    await r.xreadgroup('GROUP', AGGREGATOR_GROUP, 'dead-1', 'COUNT', 10, 'STREAMS', keys.events, '>');
    const consumers = async () =>
      ((await r.xinfo('CONSUMERS', keys.events, AGGREGATOR_GROUP)) as unknown[][]).map((c) => ({
        name: String(c[c.indexOf('name') + 1]),
        pending: Number(c[c.indexOf('pending') + 1]),
      }));
    expect(await consumers()).toEqual([{ name: 'dead-1', pending: 5 }]);

    const pipeline = startPipeline({
      redis: conn(),
      blocking: conn(),
      keys,
      clock: systemClock,
      logger: createLogger('silent', false),
      metrics: createMetrics({ processMetrics: false }),
      tuning: { consumerName: 'live-1', claimIdleMs: 300, reapIdleMs: 1500 },
    });
    try {
      const left = await until(consumers, (cs) => !cs.some((c) => c.name === 'dead-1'));
      expect(left.map((c) => c.name)).toEqual(['live-1']);
      await drained(r, keys.events, 10_000);
    } finally {
      await pipeline.stop();
    }
  }, 30_000);
});
