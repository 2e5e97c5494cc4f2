import type { Metrics } from '../metrics.ts';

/**
 * The hub's snapshot reads share Redis with the aggregator: at most `max` run at once, so a burst
 * that dirties every room slows the screens down (they coalesce more) instead of the pipeline.
 *
 * Reads waiting for a slot go oldest news first: by when the change they are for was last
 * announced. A busy room's delta is as fresh as the newest event it includes whenever it is read,
 * so its read can wait; a quiet room's one event has been waiting since its notice. In arrival
 * order, a township's read queued behind the whole herd of county reads every notice makes due at
 * once (docs/benchmarks.md, `fanout`, "2026-12-06 08:38–10:26"). A join is placed by when it
 * asked: among the refreshes, as it was in arrival order.
 */
export class ReadSlots {
  private reading = 0;
  /** Sorted by `since`; equal ones in arrival order. */
  private readonly waiting: { since: number; go: () => void }[] = [];

  constructor(
    private readonly max: number,
    private readonly metrics: Metrics,
  ) {}

  /** Resolves once a slot is this read's; `since` orders it among the waiting ones. */
  take(what: 'refresh' | 'join', since: number): Promise<void> {
    if (this.reading < this.max) {
      this.reading++;
      this.metrics.snapshotWait.observe({ for: what }, 0);
      return Promise.resolve();
    }
    const end = this.metrics.snapshotWait.startTimer({ for: what });
    return new Promise<void>((go) => {
      const w = this.waiting;
      let lo = 0;
      let hi = w.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (w[mid]!.since <= since) lo = mid + 1;
        else hi = mid;
      }
      w.splice(lo, 0, { since, go });
    }).then(() => void end());
  }

  /** A read is over: its slot goes to the first waiting one. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next.go();
    else this.reading--;
  }
}
