/**
 * History at first start: the last `days` days generated hour by hour from a recorded seed (one
 * window per hour, window.ts); every step due by now is sent, in delivery order (so lifecycles
 * are complete as of now), the rest stay queued for the live loop and are listed for the ledger.
 * Deterministic from its parameters, so a replay after a crash sends the same ids with the same
 * content and ingest counts them as duplicates.
 */
import { RETENTION } from '../counters/retention.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import type { Rates } from './generate.ts';
import type { Outgoing } from './events.ts';
import type { LedgerEntry } from './ledger.ts';
import { derive } from './prng.ts';
import type { PendingQueue } from './queue.ts';
import { MAX_BATCH, sendEvents, type SendTotals } from './send.ts';
import type { BackfillParams } from './state.ts';
import { casesIn, planWindow, windowEvents, type WindowRecord } from './window.ts';
import type { World } from './world.ts';

const HOUR = 3_600_000;
/** Events older than this are not sent: ingest refuses older ones (RETENTION), keep an hour's margin. */
export const MAX_EVENT_AGE_MS = RETENTION.maxEventAgeMs - HOUR;
/** Most history the simulator will generate: whole days within ingest's age limit. */
export const MAX_BACKFILL_DAYS = Math.floor(MAX_EVENT_AGE_MS / 86_400_000);

export interface BackfillDeps {
  world: World;
  rates: Rates;
  ingest: Ingest;
  logger: Logger;
  queue: PendingQueue;
  now: () => number;
  /** Checked between batches, so stop() does not wait for a whole month of history. */
  stopped: () => boolean;
  /** Awaited after each hour of history is handed over (`h` counts from 0): pacing, settling. */
  afterWindow?: (h: number) => Promise<void>;
  /**
   * Times a batch that ingest failed on (Redis busy or away) is sent again, a few seconds apart,
   * before the backfill gives up: ingest dedupes by event id, so a batch sent twice counts once.
   */
  sendRetries?: number;
}

const RETRY_PAUSE_MS = 3_000;

export interface BackfillResult extends SendTotals {
  cases: number;
  queued: number;
  complete: boolean;
  /** The "now" the history was completed to; the live loop takes over from here. */
  until: number;
  /** Windows whose arrivals still have steps after `until`, to record before going live. */
  ledger: LedgerEntry[];
}

/** Case numbers the backfill reserves: expected cases plus a wide margin (Poisson counts barely vary). */
export function backfillSeqCount(days: number, rates: Rates): number {
  const perDay = rates.incidentsPerDay + rates.disputesPerDay * 1.1 + rates.homicidesPerDay + rates.spikesPerDay * 30;
  return Math.ceil(days * perDay * 1.5) + 10_000;
}

export async function runBackfill(p: BackfillParams, deps: BackfillDeps): Promise<BackfillResult> {
  const cut = deps.now();
  const oldest = cut - MAX_EVENT_AGE_MS;
  const { queue } = deps;
  // A retry within the same process starts from scratch, not on top of the failed attempt's steps.
  queue.clear();
  const result: BackfillResult = {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    cases: 0,
    queued: 0,
    complete: false,
    until: cut,
    ledger: [],
  };
  let seq = p.seqBase;
  let buffer: Outgoing[] = [];
  const flush = async (all: boolean) => {
    while (buffer.length >= MAX_BATCH || (all && buffer.length > 0)) {
      const batch = buffer.slice(0, MAX_BATCH);
      buffer = buffer.slice(MAX_BATCH);
      let r: SendTotals;
      for (let attempt = 0; ; attempt++) {
        try {
          r = await sendEvents(deps.ingest, batch, deps.logger, true);
          break;
        } catch (err) {
          if (attempt >= (deps.sendRetries ?? 0) || deps.stopped()) throw err;
          deps.logger.warn({ err, attempt: attempt + 1 }, 'backfill batch failed; sending it again');
          await new Promise((res) => setTimeout(res, RETRY_PAUSE_MS));
        }
      }
      result.accepted += r.accepted;
      result.duplicates += r.duplicates;
      result.rejected += r.rejected;
    }
  };
  // Steps go through the queue even here, so history is delivered in the order it would have
  // been live — out-of-order deliveries included — and roughly chronologically.
  const release = (until: number) => {
    for (const o of queue.popDue(until)) if (o.at >= oldest) buffer.push(o);
  };

  for (let h = 0, from = p.from; from < p.to; h++, from += HOUR) {
    if (deps.stopped()) return result;
    const to = Math.min(from + HOUR, p.to);
    const spec = { seed: derive(p.seed, h), from, to, rates: deps.rates };
    const { arrivals, planned } = planWindow(deps.world, spec);
    const cases = casesIn(planned);
    if (seq + cases > p.seqBase + p.seqCount) throw new Error('backfill ran out of reserved case numbers');
    // History is at speed 1: simulated time is real time.
    const window: WindowRecord = { ...spec, seq, arrivals, cases, anchor: 0, speed: 1 };
    seq += cases;
    const events = windowEvents(window, planned);
    for (const a of events) for (const steps of a.cases) queue.pushAll(steps);
    result.cases += cases;
    const open = events.filter((a) => a.last > cut).map((a) => ({ g: a.g, seq: a.seq, last: a.last }));
    if (open.length > 0) result.ledger.push({ window, arrivals: open });
    release(Math.min(to, cut));
    await flush(false);
    await deps.afterWindow?.(h);
  }
  release(cut);
  await flush(true);
  result.queued = queue.size;
  result.complete = true;
  return result;
}
