/**
 * At start (after the backfill ran once), puts back the steps an earlier process had planned but
 * not yet sent. Only arrivals the ledger lists as pending are re-planned, each from its own seed,
 * so the cost follows what is open now (tens of thousands of cases at the default rates), not
 * the forty days they were born over. Steps due while the server was down are queued as due now
 * with their planned occurredAt; whatever the old process sent after its last recorded `sent` is
 * sent again, and ingest's id dedupe counts it as a duplicate.
 */
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import { MAX_EVENT_AGE_MS } from './backfill.ts';
import type { Ledger, PendingArrival } from './ledger.ts';
import type { PendingQueue } from './queue.ts';
import { arrivalEvents, planWindow, realTime, type WindowRecord } from './window.ts';
import type { World } from './world.ts';

/** Arrivals re-planned between two yields to the event loop: a few milliseconds of CPU. */
const SLICE = 100;

export interface RecoverDeps {
  world: World;
  ledger: Pick<Ledger, 'load'>;
  queue: PendingQueue;
  now: () => number;
  logger: Logger;
  stopped: () => boolean;
}

export interface RecoverResult {
  windows: number;
  arrivals: number;
  /** Steps put back in the queue. */
  steps: number;
  /** Arrivals that no longer re-plan as recorded, left alone (their cases stay open). */
  skipped: number;
  /** Everything due up to this had been sent by the earlier process. */
  sentThrough: number | undefined;
}

export async function recoverPending(d: RecoverDeps): Promise<RecoverResult> {
  const { sentThrough, windows, pending } = await d.ledger.load();
  const result: RecoverResult = { windows: 0, arrivals: 0, steps: 0, skipped: 0, sentThrough };
  const keep = { after: sentThrough ?? -Infinity, oldest: d.now() - MAX_EVENT_AGE_MS };
  // A retry after a Redis error starts over rather than queueing the same steps twice.
  d.queue.clear();

  for (const [id, arrivals] of byWindow(pending)) {
    const w = windows.get(id);
    result.windows++;
    for (let i = 0; i < arrivals.length; i += SLICE) {
      if (d.stopped()) return result;
      const slice = arrivals.slice(i, i + SLICE);
      const r = w ? requeue(d, w, slice, keep) : { steps: 0, skipped: slice.length };
      result.steps += r.steps;
      result.skipped += r.skipped;
      result.arrivals += slice.length - r.skipped;
      // Re-planning is CPU work and the server is already serving: let its requests through.
      await yieldToEvents();
    }
  }
  if (result.skipped > 0) {
    d.logger.error(
      { skipped: result.skipped },
      'recorded arrivals no longer re-plan identically; their cases stay open',
    );
  }
  return result;
}

function byWindow(pending: readonly PendingArrival[]): Map<number, PendingArrival[]> {
  const out = new Map<number, PendingArrival[]>();
  for (const p of pending) {
    const list = out.get(p.window);
    if (list) list.push(p);
    else out.set(p.window, [p]);
  }
  return out;
}

/** Queues the steps still to send of some arrivals of one window. */
function requeue(
  d: RecoverDeps,
  w: WindowRecord,
  arrivals: readonly PendingArrival[],
  keep: { after: number; oldest: number },
): { steps: number; skipped: number } {
  const byG = new Map(arrivals.map((a) => [a.g, a]));
  const { arrivals: count, planned } = planWindow(d.world, w, new Set(byG.keys()));
  // The same seed must give the same cases. If the generator, the rhythm or the region data
  // changed since, it does not: the arrivals move, or an arrival's last delivery does (places
  // and lifecycles draw from one stream). Sending would mix two versions of a case, so leave it.
  if (count !== w.arrivals) return { steps: 0, skipped: arrivals.length };
  const toReal = realTime(w);
  let steps = 0;
  let skipped = arrivals.length - planned.length;
  for (const p of planned) {
    const a = byG.get(p.g)!;
    const events = arrivalEvents(p, a.seq, toReal);
    if (events.last !== a.last) {
      skipped++;
      continue;
    }
    for (const one of events.cases) {
      const rest = one.filter((o) => o.sendAt > keep.after && o.at >= keep.oldest);
      if (rest.length > 0 && d.queue.pushAll(rest)) steps += rest.length;
    }
  }
  return { steps, skipped };
}
