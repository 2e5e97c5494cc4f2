/**
 * The older history of a first start: from the 1st of the last complete month (Beijing) up to where
 * the recent backfill began, so that month's 通报 and 平安指数 have a whole month behind them. It
 * runs once, after the feed has gone live, in the background: a month of history is ~1.5 million
 * events, minutes of work that a wall should not wait for. It is paced by the aggregator's backlog
 * so live events are never queued behind it (the wall stays 实时), and the duty desks of its days
 * are settled as it goes (settle-history.ts), so its alerts never wait long enough to escalate.
 *
 * Like the recent backfill it is replayable from its recorded parameters (state `older`), so an
 * interrupted run starts again and ingest counts what was sent as duplicates; `olderDone` ends it.
 */
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import { buckets, shiftMonth } from '../time/beijing.ts';
import { backfillSeqCount, MAX_EVENT_AGE_MS, runBackfill } from './backfill.ts';
import type { Rates } from './generate.ts';
import type { Ledger } from './ledger.ts';
import { newSeed } from './prng.ts';
import { PendingQueue } from './queue.ts';
import type { SimState } from './state.ts';
import type { World } from './world.ts';

const DAY = 86_400_000;
/** Sending pauses while the aggregator has more than this many entries to read (~2 s of its work). */
const MAX_BACKLOG = 10_000;
/** The duty desks are settled after each week of history. */
const SETTLE_EVERY_HOURS = 7 * 24;

/** 00:00 Beijing time of the 1st of the month before the one `now` is in. */
export function lastMonthStart(now: number): number {
  const m = shiftMonth(buckets(now).month, -1);
  return Date.parse(`${m.slice(0, 4)}-${m.slice(4)}-01T00:00:00+08:00`);
}

/** Where the older history starts: the last complete month's 1st, within ingest's age limit. */
export function olderHistoryFrom(now: number): number {
  return Math.max(lastMonthStart(now), Math.ceil((now - MAX_EVENT_AGE_MS) / 3_600_000) * 3_600_000);
}

export interface OlderHistoryDeps {
  world: World;
  rates: Rates;
  ingest: Ingest;
  /** Entries the aggregators have still to apply: the sending waits while there are many. */
  backlog: () => Promise<number>;
  state: SimState;
  ledger: Ledger;
  /** The live loop's queue: steps of old cases still due after now go on there. */
  liveQueue: PendingQueue;
  logger: Logger;
  now: () => number;
  stopped: () => boolean;
  /** Puts the duty desks' alerts of the history where they would be by now. */
  settle?: () => Promise<unknown>;
}

export async function runOlderHistory(d: OlderHistoryDeps): Promise<void> {
  if (await d.state.olderDone()) return;
  const recent = await d.state.recordedBackfill();
  const to = recent?.from ?? d.now();
  const params = await d.state.backfillParams(async () => {
    const from = Math.min(olderHistoryFrom(d.now()), to);
    const seqCount = backfillSeqCount(Math.ceil((to - from) / DAY), d.rates);
    return { seed: newSeed(), seqBase: await d.state.reserve(seqCount), seqCount, from, to };
  }, 'older');
  if (params.from >= params.to) {
    await d.state.markOlderDone(d.now());
    return;
  }
  const started = Date.now();
  const days = Math.round(((params.to - params.from) / DAY) * 10) / 10;
  d.logger.info(
    { from: new Date(params.from).toISOString(), to: new Date(params.to).toISOString(), days },
    `backfilling ${days} older days of history in the background (the feed is live meanwhile)`,
  );
  const queue = new PendingQueue(500_000);
  const r = await runBackfill(params, {
    world: d.world,
    rates: d.rates,
    ingest: d.ingest,
    logger: d.logger,
    queue,
    now: d.now,
    stopped: d.stopped,
    sendRetries: 20,
    afterWindow: async (h) => {
      if (h > 0 && h % 24 === 0)
        d.logger.info(
          { day: h / 24, of: Math.ceil(days), ms: Date.now() - started },
          `older history: ${h / 24} of ${Math.ceil(days)} days sent`,
        );
      // A backlog that cannot be read (Redis busy) counts as a big one: wait and ask again.
      while (!d.stopped() && (await d.backlog().catch(() => Infinity)) > MAX_BACKLOG)
        await new Promise((res) => setTimeout(res, 200));
      if (d.settle && h > 0 && h % SETTLE_EVERY_HOURS === 0)
        await d.settle().catch((err: unknown) => d.logger.warn({ err }, 'settling the older history’s alerts failed'));
    },
  });
  if (!r.complete) return;
  // Steps of these cases that fall due from now on are the live loop's to send; the ledger lists
  // their arrivals first, so a restart recovers them like any others.
  const { ledger: pending, ...totals } = r;
  await d.ledger.record(pending);
  d.liveQueue.pushAll(queue.popDue(Infinity));
  await d.state.markOlderDone(d.now());
  d.logger.info({ ...totals, windows: pending.length, ms: Date.now() - started }, 'older history done');
  await d.settle?.();
}
