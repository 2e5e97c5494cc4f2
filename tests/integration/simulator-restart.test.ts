/**
 * A restart of the simulator loses no lifecycle. Instance A feeds the real server (real ingest,
 * real aggregator, real redis-server) at a simulated hour per second and is stopped with
 * thousands of lifecycles mid-way; the clock then moves on while nothing runs, so many steps come
 * due with no process to send them. Instance B starts on the same Redis. Every case A planned
 * must end exactly as in a reference run C with the same seed that was never interrupted: the
 * same events (ids and content) reach the log, once each, and the same final status.
 */
import type { RedisClient } from '../../server/redis/connection.ts';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import type { Ingest } from '../../server/ingest/ingest.ts';
import { readCases } from '../../server/aggregate/case-store.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../server/simulator/simulator.ts';
import { simKeys, stateKey } from '../../server/simulator/state.ts';
import type { EventInput } from '../../shared/schemas/event.ts';
import { OPEN_STATUSES, STATUS_RANK, type Status } from '../../shared/vocab.ts';
import { appendedCount, drained } from '../helpers/drain.ts';
import { prng } from '../helpers/prng.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { readMark } from '../../server/ingest/marks.ts';

const silent = pino({ level: 'silent' });
const keys = createKeys('62');
/** A Monday morning, so the rhythm does not depend on when the test runs. */
const T0 = Date.parse('2026-03-16T10:00:00+08:00');
/** A small province: a few thousand cases in A's two simulated days, disputes with long lifecycles. */
const RATES = { incidentsPerDay: 600, disputesPerDay: 400, homicidesPerDay: 0.5, spikesPerDay: 1 };
/** One simulated hour per second. */
const SPEED = 3_600;
/** A runs 48 ticks of one second: two simulated days. */
const A_TICKS = 48;
/** Nobody runs for three minutes: seven and a half simulated days of A's lifecycles come due. */
const DOWN_MS = 180_000;
/** After the restart the clock moves 30 s a tick (a dispute series can last ~70 simulated days). */
const STEP_MS = 30_000;
const C_TICKS = 80;

interface Recorded {
  ingest: Ingest;
  /** Every event handed to ingest, in order (duplicates included). */
  sent: EventInput[];
  /** How many ingest appended to the log as new, and rejected. */
  added: number;
  rejected: number;
}

/** Passes to `inner` and keeps what was sent; without `inner`, takes everything as new. */
function recording(inner?: Ingest): Recorded {
  const r: Recorded = {
    sent: [],
    added: 0,
    rejected: 0,
    ingest: async (raws, source) => {
      r.sent.push(...(raws as EventInput[]));
      const res = inner ? await inner(raws, source) : { accepted: raws.length, duplicates: 0, rejected: [] };
      r.added += res.accepted;
      r.rejected += res.rejected.length;
      return res;
    },
  };
  return r;
}

async function ticks(sim: Simulator, clock: ManualClock, n: number, stepMs: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.advance(stepMs);
    await sim.tick();
  }
}

const seqOf = (caseId: string) => Number(caseId.slice('sim-'.length));

/** The latest status of every case (by lifecycle rank, whatever the delivery order). */
function finalStatus(events: readonly EventInput[]): Map<string, Status> {
  const out = new Map<string, Status>();
  for (const e of events) {
    const was = out.get(e.caseId);
    if (was === undefined || STATUS_RANK[e.status] > STATUS_RANK[was]) out.set(e.caseId, e.status);
  }
  return out;
}

function options(o: Partial<SimulatorOptions> & Pick<SimulatorOptions, 'ingest' | 'redis' | 'clock'>) {
  return { tree: server.tree, logger: silent, speed: SPEED, backfillDays: 0, rates: RATES, rand: prng(1), ...o };
}

let server: TestServer;
let refRedis: TestRedis;
let ref: Recorded;
/** Highest case number A reserved: every case up to it was planned before the stop. */
let planned: number;
let openAtStop: Map<string, Status>;
let sentByA: Recorded;
let sentByB: Recorded;
let real: RedisClient;
/** The server's clock, which the simulated days moved ahead of the real one. */
let serverClock: ManualClock;

beforeAll(async () => {
  const clock = (serverClock = new ManualClock(T0));
  [server, refRedis] = await Promise.all([startTestServer({ clock }), startTestRedis({ appendonly: false })]);
  real = server.server.redis;

  // The reference: the same seed and the same clock, never interrupted; nothing but its state in Redis.
  const refClock = new ManualClock(T0);
  ref = recording();
  const c = await startSimulator(options({ ingest: ref.ingest, redis: refRedis.client(), clock: refClock }));
  await c.ready;
  await ticks(c, refClock, A_TICKS, 1_000);
  refClock.advance(DOWN_MS);
  await ticks(c, refClock, C_TICKS, STEP_MS);
  await c.stop();

  // A: the same run against the real server, stopped mid-way.
  sentByA = recording(server.server.ingest);
  const a = await startSimulator(options({ ingest: sentByA.ingest, redis: real, clock }));
  await a.ready;
  await ticks(a, clock, A_TICKS, 1_000);
  await a.stop();
  planned = Number(await real.hget(stateKey('62'), 'seq'));
  await drained(real, keys.events);
  openAtStop = new Map([...finalStatus(sentByA.sent)].filter(([, s]) => OPEN_STATUSES.has(s)));

  // A crash right after a send loses the record of it: wind the `sent` mark back five ticks, so B
  // sends those steps again.
  const mark = Number(await real.hget(stateKey('62'), 'sent'));
  await real.hset(stateKey('62'), 'sent', String(mark - 5_000));

  // Down for a while, then B on the same Redis, at another speed and with another seed.
  clock.advance(DOWN_MS);
  sentByB = recording(server.server.ingest);
  const b = await startSimulator(options({ ingest: sentByB.ingest, redis: real, clock, speed: 1, rand: prng(2) }));
  await b.ready;
  await ticks(b, clock, C_TICKS, STEP_MS);
  await b.stop();
  await drained(real, keys.events);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await refRedis?.stop();
});

describe('simulator restart', () => {
  const mine = (events: readonly EventInput[]) => events.filter((e) => seqOf(e.caseId) <= planned);

  it('was stopped with thousands of lifecycles mid-way, and the reference saw them all end', () => {
    expect(planned).toBeGreaterThan(1_500);
    expect(openAtStop.size).toBeGreaterThan(500);
    const refFinal = finalStatus(mine(ref.sent));
    expect(refFinal.size).toBe(planned);
    expect([...refFinal.values()].filter((s) => OPEN_STATUSES.has(s))).toEqual([]);
  });

  it('delivers every event of the cases planned before the stop, with the same content, once', async () => {
    const expected = new Map(mine(ref.sent).map((e) => [e.id, JSON.stringify(e)]));
    const got = mine([...sentByA.sent, ...sentByB.sent]);
    for (const e of got) expect(JSON.stringify(e), e.id).toBe(expected.get(e.id));
    expect(new Set(got.map((e) => e.id))).toEqual(new Set(expected.keys()));
    expect(sentByA.rejected + sentByB.rejected).toBe(0);
    // In the log of record once each: every id reached it, and nothing was appended twice.
    const marks = await Promise.all([...expected.keys()].map((id) => readMark(real, keys, id, T0)));
    expect(marks.filter((m) => m !== undefined).length).toBe(expected.size);
    const distinct = new Set([...sentByA.sent, ...sentByB.sent].map((e) => e.id)).size;
    // B did send again what A's lost mark covered: ingest took those as duplicates.
    expect(sentByB.added).toBeLessThan(sentByB.sent.length);
    expect(sentByA.added + sentByB.added).toBe(distinct);
    expect(await appendedCount(real, keys.events)).toBe(distinct);
  });

  it('leaves no case planned before the stop open: the aggregates end as the uninterrupted run', async () => {
    const refFinal = finalStatus(mine(ref.sent));
    const ids = [...refFinal.keys()];
    const cases = await readCases(real, keys, ids, serverClock.now());
    const statuses = ids.map((id) => cases.get(id)?.state?.s ?? null);
    const differ = ids.filter((id, i) => statuses[i] !== refFinal.get(id));
    expect(differ.slice(0, 5).map((id) => [id, refFinal.get(id), statuses[ids.indexOf(id)]])).toEqual([]);
    // The province's open backlog is exactly B's own young cases.
    const openByB = [...finalStatus(sentByB.sent)].filter(
      ([id, s]) => seqOf(id) > planned && OPEN_STATUSES.has(s),
    ).length;
    const open = await real.hgetall(keys.open('62'));
    expect(Number(open.i ?? 0) + Number(open.d ?? 0)).toBe(openByB);
  });

  it('forgets finished arrivals: the ledger keeps only those born after the restart', async () => {
    const left = await real.zrange(simKeys('62').pending, '0', '-1');
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((m) => Number(m.split(':')[2]) <= planned)).toEqual([]);
  });
});
