import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { ev } from '../helpers/warnings.ts';
import { startPipeline } from '../../server/aggregate/pipeline.ts';
import { startAggregator } from '../../server/aggregate/consumer.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import type { Entry } from '../../server/aggregate/apply.ts';
import { appendEvents } from '../../server/ingest/append.ts';
import { AGGREGATOR_GROUP, createKeys } from '../../server/redis/keys.ts';
import { createMetrics } from '../../server/metrics.ts';
import { createLogger } from '../../server/log.ts';
import { systemClock } from '../../server/clock.ts';

const keys = createKeys('62');
let testRedis: TestRedis;
const conns: Redis[] = [];
const conn = () => {
  const c = testRedis.client();
  conns.push(c);
  return c;
};

beforeAll(async () => {
  testRedis = await startTestRedis();
});
afterAll(async () => {
  for (const c of conns) c.disconnect();
  await testRedis?.stop();
});

const pending = async (redis: Redis) => Number(((await redis.xpending(keys.events, AGGREGATOR_GROUP)) as [number])[0]);
const until = async (ok: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A pipeline whose rules wait for `open()` and record the events they are handed. */
function pipelineWithGate(name: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const seen: string[] = [];
  const pipeline = startPipeline({
    redis: conn(),
    blocking: conn(),
    keys,
    clock: systemClock,
    logger: createLogger('silent', false),
    metrics: createMetrics({ processMetrics: false }),
    tuning: { consumerName: name, claimIdleMs: 300 },
    after: {
      async onApplied(entries: Entry[]) {
        seen.push(...entries.map((e) => e.event.id));
        await gate;
      },
      onSwept: async () => undefined,
    },
  });
  return { pipeline, seen, open };
}

describe('a batch is acknowledged once its warning rules are done', () => {
  it('stays pending while its rules run, and goes to a live aggregator when its own died first', async () => {
    const redis = conn();
    const now = Date.now() - 60_000;
    const events = Array.from({ length: 5 }, (_, i) => ev({ id: `ack-${i}`, ts: now + i }));

    const first = pipelineWithGate('first');
    await appendEvents(redis, keys, events);
    // Counted (the province's open incidents), handed to the rules, but not acknowledged.
    await until(async () => first.seen.length === 5);
    expect(Number(await redis.hget(keys.open('62'), 'i'))).toBe(5);
    expect(await pending(redis)).toBe(5);

    // The first aggregator "dies" with its rules unfinished (it never acknowledges); a second one
    // claims the batch once idle, its counts stay as they are, and its rules run again there.
    const second = pipelineWithGate('second');
    second.open();
    await until(async () => second.seen.length === 5 && (await pending(redis)) === 0);
    expect(second.seen.sort()).toEqual(events.map((e) => e.id).sort());
    expect(Number(await redis.hget(keys.open('62'), 'i'))).toBe(5);

    first.open();
    await Promise.all([first.pipeline.stop(), second.pipeline.stop()]);
    expect(await pending(redis)).toBe(0);
  }, 30_000);
});

describe('an aggregator whose batch failed takes it up again itself', () => {
  it('applies its own unacknowledged batch again as soon as it can, not after the claim time', async () => {
    const redis = conn();
    const now = Date.now() - 60_000;
    const events = Array.from({ length: 4 }, (_, i) => ev({ id: `own-${i}`, ts: now + i }));
    const before = Number((await redis.hget(keys.open('62'), 'i')) ?? 0);
    const seen: string[] = [];
    let failures = 1;
    // A claim would come only after two minutes: whatever is acknowledged sooner, it did itself.
    const aggregator = startAggregator({
      redis: conn(),
      applyRedis: conn(),
      keys,
      sla: slaTable(),
      clock: systemClock,
      logger: createLogger('silent', false),
      metrics: createMetrics({ processMetrics: false }),
      consumerName: 'own',
      claimIdleMs: 120_000,
      async onApplied(entries: Entry[]) {
        seen.push(...entries.map((e) => e.event.id));
        // What follows the counting fails for the first batch (Redis gone mid-batch, say): the
        // batch is counted but stays pending, unacknowledged.
        if (failures-- > 0) throw new Error('after the counting failed');
      },
    });
    await appendEvents(redis, keys, events);
    await until(async () => seen.length >= 8 && (await pending(redis)) === 0);
    // What follows the counting saw each event twice; the counts took each once.
    expect(seen.sort()).toEqual([...events, ...events].map((e) => e.id).sort());
    expect(Number(await redis.hget(keys.open('62'), 'i'))).toBe(before + 4);
    await aggregator.stop();
  }, 30_000);
});

describe('reading does not wait for applying', () => {
  it('reads the batches after one still being applied, and counts every batch once', async () => {
    const redis = conn();
    const now = Date.now() - 60_000;
    const first = Array.from({ length: 3 }, (_, i) => ev({ id: `slow-${i}`, ts: now + i }));
    const second = Array.from({ length: 2 }, (_, i) => ev({ id: `quick-${i}`, ts: now + 10 + i }));
    const third = Array.from({ length: 2 }, (_, i) => ev({ id: `later-${i}`, ts: now + 20 + i }));
    const before = Number((await redis.hget(keys.open('62'), 'i')) ?? 0);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const applied: string[] = [];
    const aggregator = startAggregator({
      redis: conn(),
      applyRedis: conn(),
      keys,
      sla: slaTable(),
      clock: systemClock,
      logger: createLogger('silent', false),
      metrics: createMetrics({ processMetrics: false }),
      consumerName: 'reader',
      // The first batch's work after its counting hangs until the gate opens.
      async onApplied(entries: Entry[]) {
        applied.push(...entries.map((e) => e.event.id));
        await gate;
      },
    });
    await appendEvents(redis, keys, first);
    await until(async () => applied.length === 3);
    // The batches after it are delivered to the reader (pending: read, not yet acknowledged) while
    // the first is still held in its apply (the reader used to wait for it after reading one more).
    await appendEvents(redis, keys, second);
    await until(async () => (await pending(redis)) === 5);
    await appendEvents(redis, keys, third);
    await until(async () => (await pending(redis)) === 7);
    expect(applied.sort()).toEqual(first.map((e) => e.id).sort());
    open();
    await until(async () => applied.length === 7 && (await pending(redis)) === 0);
    expect(Number(await redis.hget(keys.open('62'), 'i'))).toBe(before + 7);
    await aggregator.stop();
  }, 30_000);
});
