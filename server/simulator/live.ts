/**
 * The per-second live loop. Cases are planned a window (one simulated hour) at a time, when the
 * simulated clock reaches the window: seed and case numbers are recorded in the ledger before any
 * of its events is queued, so a later process can re-plan whatever is still pending (recover.ts).
 * Every tick then sends the steps that have come due and moves the ledger's `sent` mark on.
 *
 * Speed. Simulated time runs `speed` times faster than the real clock from the moment live
 * starts, but it is *compressed into* real time rather than allowed to run ahead: a simulated
 * instant s maps to the real instant start + (s − start) / speed, and each event is stamped with
 * that real instant. So occurredAt is never in the future.
 */
import type { Clock } from '../clock.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../log.ts';
import { MAX_EVENT_AGE_MS } from './backfill.ts';
import type { Rates } from './generate.ts';
import type { Ledger } from './ledger.ts';
import { newSeed, type Rand } from './prng.ts';
import type { PendingQueue } from './queue.ts';
import { MAX_BATCH, sendEvents } from './send.ts';
import type { SimState } from './state.ts';
import { casesIn, planWindow, windowEvents, type WindowRecord } from './window.ts';
import type { World } from './world.ts';

/** Simulated time per window: ~350 cases at the default rates, a few records a second at top speed. */
export const WINDOW_MS = 3_600_000;
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
const STATS_EVERY_MS = 15 * 60_000;

export interface LiveDeps {
  world: World;
  rates: Rates;
  rand: Rand;
  state: SimState;
  ledger: Ledger;
  queue: PendingQueue;
  clock: Clock;
  speed: number;
  ingest: Ingest;
  log: Logger;
}

/** One tick at a time: a tick still sending makes the next one a no-op. */
export class LiveLoop {
  sent = 0;
  private anchor = 0;
  /** Simulated start of the next window to plan. */
  private next = 0;
  /** The `sent` mark last written to the ledger. */
  private sentThrough = -Infinity;
  private running: Promise<void> | undefined;
  private lastStats = 0;
  private lastError = 0;

  constructor(private readonly d: LiveDeps) {}

  start(now: number): void {
    this.anchor = now;
    this.next = now;
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
      await this.planDue(now);
    } catch (err) {
      this.warn(now, err, 'could not record a window of cases; will retry');
    }
    const due = queue.popDue(now, MAX_SEND_PER_TICK).filter((o) => o.at >= now - MAX_EVENT_AGE_MS);
    if (due.length > 0) {
      try {
        await sendEvents(this.d.ingest, due, log);
        this.sent += due.length;
      } catch (err) {
        // Same ids, same content: sending them again later is safe, so put them back.
        for (const o of due) queue.push(o);
        this.warn(now, err, 'ingest failed; will retry');
      }
    }
    await this.markSent(now);
    if (now - this.lastStats >= STATS_EVERY_MS) {
      this.lastStats = now;
      log.info({ sent: this.sent, queued: queue.size, dropped: queue.dropped }, 'simulator running');
    }
  }

  /** Plans every window the simulated clock has reached, skipping what a stall left too far behind. */
  private async planDue(now: number): Promise<void> {
    const simNow = this.toSim(now);
    const floor = simNow - Math.min(MAX_CATCH_UP_MS * this.d.speed, MAX_CATCH_UP_SIM_MS);
    if (this.next + WINDOW_MS <= floor) {
      this.next = this.anchor + Math.floor((floor - this.anchor) / WINDOW_MS) * WINDOW_MS;
    }
    while (this.next <= simNow) {
      await this.planWindowAt(this.next);
      this.next += WINDOW_MS;
    }
  }

  private async planWindowAt(from: number): Promise<void> {
    const { world, rates, state, ledger, queue } = this.d;
    const spec = { seed: newSeed(this.d.rand), from, to: from + WINDOW_MS, rates };
    const { arrivals, planned } = planWindow(world, spec);
    const cases = casesIn(planned);
    if (cases === 0) return;
    // Numbers, then the record, then the queue: if Redis fails in between, nothing was sent and
    // the window is planned afresh next tick.
    const seq = await state.reserve(cases);
    const window: WindowRecord = { ...spec, seq, arrivals, cases, anchor: this.anchor, speed: this.d.speed };
    const events = windowEvents(window, planned);
    await ledger.record([{ window, arrivals: events.map((a) => ({ g: a.g, seq: a.seq, last: a.last })) }]);
    // A full queue drops whole cases: a half-queued lifecycle would stop at a random step.
    for (const a of events) for (const steps of a.cases) queue.pushAll(steps);
  }

  /**
   * Everything due up to `now` has been sent, except what is still queued though due (a failed or
   * capped send) and what a window not yet planned (a failed record) will bring: the mark stays
   * just before those. A step sent in that last millisecond is at worst sent again after a restart.
   */
  private async markSent(now: number): Promise<void> {
    const head = this.d.queue.peek();
    const mark = Math.min(head && head.sendAt <= now ? head.sendAt - 1 : now, this.toReal(this.next) - 1);
    if (mark <= this.sentThrough) return;
    try {
      await this.d.ledger.advance(mark);
      this.sentThrough = mark;
    } catch (err) {
      this.warn(now, err, 'could not record what was sent; will retry');
    }
  }

  /** At most one warning per minute while a dependency is down. */
  private warn(now: number, err: unknown, msg: string): void {
    if (now - this.lastError < 60_000) return;
    this.lastError = now;
    this.d.log.warn({ err }, msg);
  }
}
