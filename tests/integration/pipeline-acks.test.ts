import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { ev } from '../helpers/warnings.ts';
import { startPipeline } from '../../server/aggregate/pipeline.ts';
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
