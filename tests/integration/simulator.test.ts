/**
 * The simulator against a real redis-server and the real ingest: backfill once, never twice,
 * replay an interrupted backfill without double counting, run live without future timestamps,
 * and stop only after the ingest in flight has finished.
 */
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { createIngest, type Ingest, type IngestResult } from '../../server/ingest/ingest.ts';
import { createMetrics } from '../../server/metrics.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { startSimulator, type SimulatorOptions } from '../../server/simulator/simulator.ts';
import { stateKey } from '../../server/simulator/state.ts';
import type { EventInput } from '../../shared/schemas/event.ts';
import { prng } from '../helpers/prng.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

const silent = pino({ level: 'silent' });
const keys = createKeys('62');

let redis: TestRedis;
let client: Redis;
let tree: RegionTree;
beforeAll(async () => {
  [redis, tree] = await Promise.all([startTestRedis({ appendonly: false }), loadRegionTree('62')]);
  client = redis.client();
});
afterAll(async () => redis?.stop());

/** The real ingest, recording what the simulator sent and what ingest answered. */
function recordingIngest(clock: ManualClock) {
  const real = createIngest({ redis: client, keys, clock, metrics: createMetrics(), hasRegion: (c) => tree.has(c) });
  const calls: { events: EventInput[]; result: IngestResult; source: string }[] = [];
  const ingest: Ingest = async (raws, source) => {
    const result = await real(raws, source);
    calls.push({ events: raws as EventInput[], result, source });
    return result;
  };
  const total = (f: 'accepted' | 'duplicates') => calls.reduce((s, c) => s + c.result[f], 0);
  return { ingest, calls, total, rejected: () => calls.flatMap((c) => c.result.rejected) };
}

function options(clock: ManualClock, ingest: Ingest, o: Partial<SimulatorOptions> = {}): SimulatorOptions {
  return { ingest, redis: client, tree, logger: silent, speed: 1, backfillDays: 1, clock, rand: prng(62), ...o };
}

describe('simulator on Redis', () => {
  // A fixed Monday morning, so the rhythm (and the counts below) do not depend on when tests run;
  // ingest judges occurredAt by this same clock.
  const clock = new ManualClock(Date.parse('2026-03-16T10:00:00+08:00'));

  it('replays an interrupted backfill from its recorded seed, counting the resent events as duplicates', async () => {
    // First attempt: ingest dies after one batch, and the process is stopped.
    const first = recordingIngest(clock);
    let calls = 0;
    const failing: Ingest = async (raws, source) => {
      if (++calls > 1) throw new Error('redis went away');
      return first.ingest(raws, source);
    };
    const a = await startSimulator(options(clock, failing));
    while (calls < 2) await new Promise((r) => setTimeout(r, 10));
    await a.stop();
    expect(first.total('accepted')).toBeGreaterThan(0);
    expect(await client.hexists(stateKey('62'), 'backfillDone')).toBe(0);
    expect(await client.hget(stateKey('62'), 'backfill')).toBeTruthy();

    // Second start: the same history, its first batch already in the log.
    const second = recordingIngest(clock);
    const b = await startSimulator(options(clock, second.ingest, { rand: prng(999) }));
    await b.ready;
    await b.stop();
    expect(second.rejected()).toEqual([]);
    expect(second.total('duplicates')).toBe(first.total('accepted'));
    const sent = second.calls.flatMap((c) => c.events);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(await client.xlen(keys.events)).toBe(sent.length);
    expect(sent.length).toBeGreaterThan(10_000);
    expect(second.calls.every((c) => c.source.startsWith('simulator.') && c.events.length <= 5000)).toBe(true);
    expect(await client.hexists(stateKey('62'), 'backfillDone')).toBe(1);
  });

  it('does not backfill again after a restart, and goes live without future timestamps', async () => {
    const rec = recordingIngest(clock);
    const before = await client.xlen(keys.events);
    const sim = await startSimulator(options(clock, rec.ingest, { rand: prng(5) }));
    await sim.ready;
    expect(rec.calls).toEqual([]);

    clock.advance(60_000);
    await sim.tick();
    clock.advance(60_000);
    await sim.tick();
    await sim.stop();
    const live = rec.calls.flatMap((c) => c.events);
    // ~8,300 new cases a day → ~11 in two minutes, plus steps of backfilled cases coming due.
    expect(live.length).toBeGreaterThan(3);
    expect(rec.rejected()).toEqual([]);
    expect(rec.total('duplicates')).toBe(0);
    for (const e of live) expect(Date.parse(e.occurredAt)).toBeLessThanOrEqual(clock.now());
    expect(await client.xlen(keys.events)).toBe(before + live.length);

    // Live case numbers come from blocks reserved after the backfill's range.
    const backfill = JSON.parse((await client.hget(stateKey('62'), 'backfill'))!) as {
      seqBase: number;
      seqCount: number;
    };
    const fresh = live.filter((e) => e.id.endsWith('-0')).map((e) => Number(e.caseId.slice(4)));
    expect(fresh.length).toBeGreaterThan(0);
    for (const n of fresh) expect(n).toBeGreaterThanOrEqual(backfill.seqBase + backfill.seqCount);
  });

  it('compresses simulated time into real time at speed 60', async () => {
    const rec = recordingIngest(clock);
    const sim = await startSimulator(options(clock, rec.ingest, { speed: 60, rand: prng(6) }));
    await sim.ready;
    const start = clock.now();
    clock.advance(10_000); // ten simulated minutes
    await sim.tick();
    await sim.stop();
    const firsts = rec.calls.flatMap((c) => c.events).filter((e) => Date.parse(e.occurredAt) > start);
    // Ten simulated minutes at ~5.8 cases a minute, all stamped within the ten real seconds.
    expect(firsts.length).toBeGreaterThan(20);
    for (const e of firsts) expect(Date.parse(e.occurredAt)).toBeLessThanOrEqual(clock.now());
  });

  it('stop() waits for the ingest in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    let finished = false;
    const rec = recordingIngest(clock);
    const slow: Ingest = async (raws, source) => {
      started = true;
      await gate;
      const r = await rec.ingest(raws, source);
      finished = true;
      return r;
    };
    const sim = await startSimulator(options(clock, slow, { rand: prng(7) }));
    await sim.ready;
    clock.advance(5 * 60_000);
    const tick = sim.tick();
    while (!started) await new Promise((r) => setTimeout(r, 5));
    let stopped = false;
    const stopping = sim.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await tick;
    expect(finished).toBe(true);
  });
});
