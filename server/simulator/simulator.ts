/**
 * The built-in feed (Gansu's by default; several provinces share its volume by population, see
 * world.ts and generate.ts scaledRates): backfill once, then a live loop (live.ts) that every second plans the
 * cases the simulated clock has reached and sends the lifecycle steps that have come due, through
 * the same `ingest` as every other source.
 *
 * Speed. Simulated time is compressed into real time (live.ts): at speed 60 a simulated day, its
 * whole daily rhythm and each dispute's dispatch, mediation and verification, passes in 24 real
 * minutes, with 60× the real-time event rate. SLAs are judged by the aggregator on the real clock,
 * so at high speeds nothing is ever overdue except leftovers from the backfill, which is always at
 * speed 1 (it is history).
 *
 * Restarts. Every case comes from a recorded window (seed + first case number, window.ts), and the
 * ledger (ledger.ts) keeps which arrivals still have steps to send and up to when everything was
 * sent. A new process re-plans exactly those arrivals in the background before going live
 * (recover.ts), so a restart leaves no lifecycle half-done; what the old process sent after its
 * last mark is sent again and ingest counts it as a duplicate. The gap itself stays empty: no new
 * cases are born while no process runs.
 */
import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import type { RegionTree } from '../regions/tree.ts';
import { backfillSeqCount, MAX_BACKFILL_DAYS, runBackfill } from './backfill.ts';
import { defaultRates, scaledRates, type Rates } from './generate.ts';
import { Ledger } from './ledger.ts';
import { LiveLoop } from './live.ts';
import { mulberry32, newSeed, type Rand } from './prng.ts';
import { PendingQueue } from './queue.ts';
import { recoverPending } from './recover.ts';
import { SimState, simKeys } from './state.ts';
import { createWorld } from './world.ts';
import { settleHistory, type HistorySettling } from './settle-history.ts';
import { olderHistoryFrom, runOlderHistory } from './older-history.ts';
import { HistoryFill } from '../history-fill.ts';
import { createKeys } from '../redis/keys.ts';

export interface SimulatorOptions {
  ingest: Ingest;
  /** For the simulator's own keys `pa:{62}:sim:*` only (state.ts, ledger.ts). */
  redis: RedisClient;
  tree: RegionTree;
  logger: Logger;
  /** 1 = real time; 60 = one simulated minute per real second. */
  speed: number;
  backfillDays: number;
  clock?: Clock;
  /** Seedable randomness, for tests. */
  rand?: () => number;
  incidentsPerDay?: number;
  /** Every rate times this (SIMULATOR_SCALE; generate.ts scaledRates). Default 1. */
  scale?: number;
  /** Overrides of any rate, for tests that want a small feed. */
  rates?: Partial<Rates>;
  /** Lets the simulator play the duty desks of its backfilled days (settle-history.ts). */
  history?: HistorySettling;
  /**
   * After going live, backfill in the background the older days back to the 1st of the last
   * complete month (older-history.ts), paced by the aggregators' backlog (entries still to apply).
   */
  olderHistory?: { backlog: () => Promise<number> };
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
const RETRY_MS = 5_000;

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed))
    throw new Error(`simulator speed must be > 0, got ${opts.speed}`);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger.child({ component: 'simulator' });
  const world = createWorld(opts.tree, await opts.tree.countyPolygons());
  const rates = { ...scaledRates(defaultRates(opts.incidentsPerDay), opts.scale ?? 1), ...opts.rates };
  const keys = simKeys(opts.tree.root);
  const state = new SimState(opts.redis, keys.state);
  const ledger = new Ledger(opts.redis, keys);
  const queue = new PendingQueue(QUEUE_CAP);
  const rand: Rand = opts.rand ?? mulberry32(newSeed());
  const live = new LiveLoop({
    world,
    rates,
    rand,
    state,
    ledger,
    queue,
    clock,
    speed: opts.speed,
    ingest: opts.ingest,
    log,
  });

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

  // While history is on its way, the months it reaches are not frozen (server/history-fill.ts).
  const fill = new HistoryFill(opts.redis, createKeys(opts.tree.root).historyFill);
  const historyLeft = async () =>
    !(await state.backfillDone()) || (opts.olderHistory !== undefined && !(await state.olderDone()));

  /** Backfills unless done before, else recovers what an earlier process left pending. */
  const backfillOrRecover = async (): Promise<number> => {
    if (await historyLeft()) {
      const now = clock.now();
      await fill.mark(Math.min(now - opts.backfillDays * DAY, opts.olderHistory ? olderHistoryFrom(now) : now));
    }
    if (await state.backfillDone()) {
      const started = Date.now();
      const r = await recoverPending({
        world,
        ledger,
        queue,
        now: () => clock.now(),
        logger: log,
        stopped: () => stopped,
      });
      log.info({ ...r, ms: Date.now() - started }, 'pending lifecycles recovered; going live');
      return clock.now();
    }
    const days = Math.max(0, Math.min(opts.backfillDays, MAX_BACKFILL_DAYS));
    if (days === 0) {
      await state.markBackfillDone(clock.now());
      if (!(await historyLeft())) await fill.clear();
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
      // The ledger first: once backfillDone is set, a restart recovers from it instead of replaying.
      const { ledger: pending, ...totals } = r;
      await ledger.record(pending);
      await state.markBackfillDone(clock.now(), r.until);
      log.info({ ...totals, windows: pending.length, ms: Date.now() - started }, 'backfill done');
      if (opts.history)
        void settleHistory({
          ...opts.history,
          root: opts.tree.root,
          now: () => clock.now(),
          logger: log,
          stopped: () => stopped,
        }).catch((err: unknown) => log.error({ err }, 'settling the alerts of the backfilled days failed'));
    }
    if (r.complete && !(await historyLeft())) await fill.clear();
    // Live starts where the history ends, so the minute a long backfill took is not a hole.
    return r.until;
  };

  /** The older history, retried like the backfill while Redis is unreachable; never blocks stop(). */
  let older: Promise<void> | undefined;
  const olderHistory = async (backlog: () => Promise<number>) => {
    const settle = opts.history
      ? (noWait: boolean) =>
          settleHistory({
            ...opts.history!,
            root: opts.tree.root,
            now: () => clock.now(),
            logger: log,
            stopped: () => stopped,
            noWait,
          })
      : undefined;
    while (!stopped) {
      try {
        await runOlderHistory({
          world,
          rates,
          ingest: opts.ingest,
          backlog,
          state,
          ledger,
          liveQueue: queue,
          logger: log,
          now: () => clock.now(),
          stopped: () => stopped,
          ...(settle ? { settle } : {}),
        });
        if (!(await historyLeft())) await fill.clear();
        return;
      } catch (err) {
        log.error({ err }, `older history failed; retrying in ${RETRY_MS / 1000} s`);
        await pause(RETRY_MS);
      }
    }
  };

  // Backfill (or recover) in the background so the server is usable at once; retried (both are
  // idempotent) while Redis is unreachable, then the live loop starts where the history ended.
  const ready = (async () => {
    let liveFrom = clock.now();
    while (!stopped) {
      try {
        liveFrom = await backfillOrRecover();
        break;
      } catch (err) {
        log.error({ err }, `backfill or recovery failed; retrying in ${RETRY_MS / 1000} s`);
        await pause(RETRY_MS);
      }
    }
    if (stopped) return;
    live.start(liveFrom);
    timer = setInterval(() => {
      live.tick().catch((err: unknown) => log.error({ err }, 'simulator tick failed'));
    }, TICK_MS);
    if (opts.olderHistory) older = olderHistory(opts.olderHistory.backlog);
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
      await older;
      await live.idle();
    },
  };
}
