/**
 * The built-in Gansu feed: backfill once, then a live loop that every second sends the cases born
 * since the last tick and the lifecycle steps that have come due, through the same `ingest` as
 * every other source.
 *
 * Speed. Simulated time runs `speed` times faster than the real clock from the moment live
 * starts, but it is *compressed into* real time rather than allowed to run ahead: a simulated
 * instant s maps to the real instant start + (s − start) / speed, and each event is stamped with
 * that real instant. So occurredAt is never in the future, and at speed 60 a simulated day (its
 * whole daily rhythm, and each dispute's dispatch, mediation and verification) passes in 24 real
 * minutes, with 60× the real-time event rate. SLAs are judged by the aggregator on the real
 * clock, so at high speeds nothing is ever overdue except leftovers from the backfill, which is
 * always at speed 1 (it is history).
 *
 * Restarts. Pending steps live in memory only; a restart loses the remaining steps of the old
 * process's open cases. Those cases stay open in the aggregates for good (at the default rates
 * roughly 5,000 disputes and 2,000 incidents per restart, later counted as overdue) — accepted
 * for a demo feed. Ids never repeat with other content: case numbers are reserved in Redis
 * before use, and an interrupted backfill is replayed from its recorded seed (see state.ts).
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import type { RegionTree } from '../regions/tree.ts';
import { backfillSeqCount, MAX_BACKFILL_DAYS, MAX_EVENT_AGE_MS, runBackfill } from './backfill.ts';
import { toEvents } from './events.ts';
import { defaultRates, planCases, type Rates } from './generate.ts';
import { mulberry32, newSeed, type Rand } from './prng.ts';
import { PendingQueue } from './queue.ts';
import { MAX_BATCH, sendEvents } from './send.ts';
import { SimState, stateKey } from './state.ts';
import { createWorld, type World } from './world.ts';

export interface SimulatorOptions {
  ingest: Ingest;
  /** For the state key `pa:{62}:sim:state` only. */
  redis: Redis;
  tree: RegionTree;
  logger: Logger;
  /** 1 = real time; 60 = one simulated minute per real second. */
  speed: number;
  backfillDays: number;
  clock?: Clock;
  /** Seedable randomness, for tests. */
  rand?: () => number;
  incidentsPerDay?: number;
}

export interface Simulator {
  stop(): Promise<void>;
  /** Resolves when the backfill is done (or skipped) and the live loop runs; for tests and logs. */
  ready: Promise<void>;
  /** Runs one live tick now (the timer does this every second). */
  tick(): Promise<void>;
  stats(): { queued: number; dropped: number; sent: number };
}

const TICK_MS = 1_000;
const DAY = 86_400_000;
/** Pending steps kept in memory: ~35,000 at speed 1 with the default rates; the cap is headroom. */
const QUEUE_CAP = 500_000;
/**
 * After a stall (laptop asleep, debugger, a long backfill) new cases are generated for at most
 * five real minutes of the gap and at most six simulated hours (at speed 10,000 five minutes
 * would be a month of cases in one tick); the rest of the gap stays empty rather than arriving
 * as one flood.
 */
const MAX_CATCH_UP_MS = 5 * 60_000;
const MAX_CATCH_UP_SIM_MS = 6 * 3_600_000;
/** Bounds one tick's sending, so a backlog drains over a few ticks instead of one long one. */
const MAX_SEND_PER_TICK = 4 * MAX_BATCH;
const RETRY_MS = 5_000;
const STATS_EVERY_MS = 15 * 60_000;

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed))
    throw new Error(`simulator speed must be > 0, got ${opts.speed}`);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger.child({ component: 'simulator' });
  const world = createWorld(opts.tree, await opts.tree.countyPolygons());
  const rates = defaultRates(opts.incidentsPerDay);
  const state = new SimState(opts.redis, stateKey(opts.tree.root));
  const queue = new PendingQueue(QUEUE_CAP);
  const rand: Rand = opts.rand ?? mulberry32(newSeed());
  const live = new LiveLoop({ world, rates, rand, state, queue, clock, speed: opts.speed, ingest: opts.ingest, log });

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  /** Backfills unless done before; returns the instant the live loop starts from. */
  const backfillOnce = async (): Promise<number> => {
    if (await state.backfillDone()) {
      log.info('history already backfilled; going live');
      return clock.now();
    }
    const days = Math.max(0, Math.min(opts.backfillDays, MAX_BACKFILL_DAYS));
    if (days === 0) {
      await state.markBackfillDone(clock.now());
      return clock.now();
    }
    const params = await state.backfillParams(async () => {
      const to = clock.now();
      const seqCount = backfillSeqCount(days, rates);
      return { seed: newSeed(opts.rand), seqBase: await state.reserve(seqCount), seqCount, from: to - days * DAY, to };
    });
    const started = Date.now();
    log.info({ days, from: new Date(params.from).toISOString() }, 'backfilling history');
    const r = await runBackfill(params, {
      world,
      rates,
      ingest: opts.ingest,
      logger: log,
      queue,
      now: () => clock.now(),
      stopped: () => stopped,
    });
    if (r.complete) {
      await state.markBackfillDone(clock.now());
      log.info({ ...r, ms: Date.now() - started }, 'backfill done');
    }
    // Live starts where the history ends, so the minute a long backfill took is not a hole.
    return r.until;
  };

  // Backfill in the background so the server is usable at once; retried (it is idempotent) while
  // Redis is unreachable, then the live loop starts where the history ended.
  const ready = (async () => {
    let liveFrom = clock.now();
    while (!stopped) {
      try {
        liveFrom = await backfillOnce();
        break;
      } catch (err) {
        log.error({ err }, `backfill failed; retrying in ${RETRY_MS / 1000} s`);
        await pause(RETRY_MS);
      }
    }
    if (stopped) return;
    live.start(liveFrom);
    timer = setInterval(() => {
      live.tick().catch((err: unknown) => log.error({ err }, 'simulator tick failed'));
    }, TICK_MS);
  })();

  return {
    ready,
    tick: () => live.tick(),
    stats: () => ({ queued: queue.size, dropped: queue.dropped, sent: live.sent }),
    async stop() {
      stopped = true;
      wake?.();
      if (timer) clearInterval(timer);
      await ready;
      await live.idle();
    },
  };
}

interface LiveDeps {
  world: World;
  rates: Rates;
  rand: Rand;
  state: SimState;
  queue: PendingQueue;
  clock: Clock;
  speed: number;
  ingest: Ingest;
  log: Logger;
}

/** The per-second loop, one tick at a time (a tick still sending makes the next one a no-op). */
class LiveLoop {
  sent = 0;
  private anchor = 0;
  private simLast = 0;
  private running: Promise<void> | undefined;
  private lastStats = 0;
  private lastError = 0;

  constructor(private readonly d: LiveDeps) {}

  start(now: number): void {
    this.anchor = now;
    this.simLast = now;
    this.lastStats = now;
  }

  /** Simulated time of a real instant, and back; identical at speed 1. */
  private toSim = (real: number) => this.anchor + (real - this.anchor) * this.d.speed;
  private toReal = (sim: number) => this.anchor + (sim - this.anchor) / this.d.speed;

  tick(): Promise<void> {
    if (!this.running) this.running = this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running;
  }

  private async run(): Promise<void> {
    const { clock, queue, log } = this.d;
    const now = clock.now();
    try {
      await this.planNew(now);
    } catch (err) {
      this.warn(now, err, 'could not reserve case numbers; will retry');
    }
    const due = queue.popDue(now, MAX_SEND_PER_TICK).filter((o) => o.at >= now - MAX_EVENT_AGE_MS);
    if (due.length > 0) {
      try {
        await sendEvents(
          this.d.ingest,
          due.map((o) => o.event),
          log,
        );
        this.sent += due.length;
      } catch (err) {
        // Same ids, same content: sending them again later is safe, so put them back.
        for (const o of due) queue.push(o);
        this.warn(now, err, 'ingest failed; will retry');
      }
    }
    if (now - this.lastStats >= STATS_EVERY_MS) {
      this.lastStats = now;
      log.info({ sent: this.sent, queued: queue.size, dropped: queue.dropped }, 'simulator running');
    }
  }

  /** Plans the cases born in the simulated time since the last tick and queues all their steps. */
  private async planNew(now: number): Promise<void> {
    const to = this.toSim(now);
    const from = Math.max(this.simLast, to - Math.min(MAX_CATCH_UP_MS * this.d.speed, MAX_CATCH_UP_SIM_MS));
    if (to <= from) return;
    const plans = planCases(this.d.world, this.d.rand, from, to, this.d.rates);
    // Reserve before anything is sent; if Redis fails here, this window is re-planned next tick.
    const base = plans.length > 0 ? await this.d.state.reserve(plans.length) : 0;
    this.simLast = to;
    plans.forEach((plan, i) => {
      // All steps go through the queue, the first ones due at once; a full queue drops whole cases.
      this.d.queue.pushAll(toEvents(plan, base + i, this.toReal));
    });
  }

  /** At most one warning per minute while a dependency is down. */
  private warn(now: number, err: unknown, msg: string): void {
    if (now - this.lastError < 60_000) return;
    this.lastError = now;
    this.d.log.warn({ err }, msg);
  }
}
