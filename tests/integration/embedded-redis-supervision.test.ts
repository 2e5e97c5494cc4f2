import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startEmbeddedServerProcess, type EmbeddedServerProcess } from '../helpers/embedded-server-process.ts';
import { generate } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { readTimeliness } from '../../server/assessment/report-timeliness.ts';
import { buckets } from '../../server/time/beijing.ts';
import { alive, sleep } from '../helpers/process.ts';

const keys = createKeys('62');
const BATCH = 250;
const CONCURRENCY = 2;
const REQUEST_TIMEOUT_MS = 4000;
/** A sender gives up after this: without a Redis that comes back, the test fails here, not at its timeout. */
const WORKLOAD_MS = 30_000;

let srv: EmbeddedServerProcess;
let tree: RegionTree;
let redis: Redis | undefined;
beforeAll(async () => {
  tree = await loadRegionTree('62');
  // No other aggregator would claim the batch the dead Redis cut off within the test's drain bound:
  // the aggregator must take up its own unacknowledged entries by itself once Redis is back.
  srv = await startEmbeddedServerProcess({ CLAIM_IDLE_MS: '600000' });
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  if (srv && srv.child.exitCode === null) await srv.stop();
});

type Answer = { accepted: number; duplicates: number; rejected: { index: number }[] };

describe('the embedded redis-server killed with SIGKILL in the middle of the feed', () => {
  it('comes back by itself, and every acknowledged event is counted exactly once', async () => {
    const now = Date.now();
    const gen = generate(tree, { events: 6000, now, seed: 1313, oldShare: 0 });
    const batches: unknown[][] = [];
    for (let i = 0; i < gen.sent.length; i += BATCH) batches.push(gen.sent.slice(i, i + BATCH));
    const killAfter = Math.floor(batches.length / 3);
    const acknowledged = new Set<string>();
    let attempts = 0;
    let failures = 0;
    let accepted = 0;
    let killedPid = 0;
    let killedAt = 0;
    let answeredBeforeKill: unknown[] | undefined;

    // A sender of its own: a request that fails, times out or is refused is sent again with the
    // same ids, so what a lost answer had stored comes back as duplicates.
    const giveUpAt = Date.now() + WORKLOAD_MS;
    const send = async (batch: unknown[]): Promise<void> => {
      while (Date.now() < giveUpAt) {
        attempts++;
        const res = await fetch(`${srv.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${srv.ingestKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }).catch(() => undefined);
        if (res?.status === 200 || res?.status === 422) {
          const answer = (await res.json()) as Answer;
          const rejected = new Set(answer.rejected.map((r) => r.index));
          batch.forEach((e, i) => {
            if (!rejected.has(i)) acknowledged.add((e as { id: string }).id);
          });
          accepted += answer.accepted;
          return;
        }
        failures++;
        await res?.arrayBuffer().catch(() => undefined);
        await sleep(200);
      }
    };
    let next = 0;
    let done = 0;
    const sender = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await send(batch);
        // Killed right after an answer: what that answer acknowledged must survive.
        if (++done === killAfter) {
          killedPid = srv.redisPid();
          process.kill(killedPid, 'SIGKILL');
          killedAt = Date.now();
          answeredBeforeKill = batch;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    expect(killedPid).toBeGreaterThan(0);
    expect(alive(killedPid)).toBe(false);

    // Nobody restarted anything: the server did.
    const restarted = srv.redisPid();
    expect(alive(restarted) && restarted !== killedPid, 'a redis-server started again by the server').toBe(true);
    redis = new Redis({ path: srv.redisSocket, maxRetriesPerRequest: null });
    redis.on('error', () => undefined); // its socket goes with the server at the end
    await drained(redis, keys.events, 30_000);
    const drainedAfter = (Date.now() - killedAt) / 1000;

    let counted = 0;
    for (const month of new Set([buckets(now - 3 * 86_400_000).month, buckets(now).month]))
      counted += (await readTimeliness(redis, keys, '62', month)).reports;
    console.log(
      `embedded Redis SIGKILLed after ${killAfter} of ${batches.length} batches: events sent ${gen.sent.length} ` +
        `(${gen.valid} distinct valid) in ${attempts} requests (${failures} failed or timed out and were resent); ` +
        `acknowledged ${acknowledged.size}, counted ${counted}; all counted ${drainedAfter.toFixed(1)} s after the kill`,
    );
    expect(acknowledged.size).toBe(gen.valid);
    expect(counted).toBe(acknowledged.size);
    // A request that timed out after its events were stored is resent and answered as duplicates:
    // accepted falls short of the valid events by exactly those, never exceeds them.
    if (failures === 0) expect(accepted).toBe(gen.valid);
    else expect(accepted).toBeLessThanOrEqual(gen.valid);
    const { mismatches } = await compareAll(tree, redis, gen.expected, now, { overdue: false });
    expect(mismatches).toEqual([]);

    // The batch answered just before the kill is all there: sent again, it is all duplicates.
    const again = await fetch(`${srv.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${srv.ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(answeredBeforeKill),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(((await again.json()) as Answer).accepted).toBe(0);

    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/^pingan_embedded_redis_restarts_total 1$/m);
    expect(metrics).toMatch(/^pingan_embedded_redis_up 1$/m);
    expect(srv.log()).toMatch(/embedded redis-server exited/);

    // A normal stop stops Redis for good: no restart behind our back.
    redis.disconnect();
    const code = await srv.stop();
    expect(code).toBe(0);
    await sleep(500);
    expect(alive(restarted)).toBe(false);
  }, 90_000);
});
