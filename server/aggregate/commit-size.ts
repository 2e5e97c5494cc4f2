/**
 * How many entries one commit script takes. A script holds Redis for its whole run, and Redis
 * answers every other client BUSY once a script has run 5 s (busy-reply-threshold): a 2,000-entry
 * commit took 0.3–8 s on a 2-core machine at load 15–20 while the demo backfilled a month, so
 * ingest and the hubs were refused now and then. The batch read stays whole; its commits are cut
 * to a size that follows their own duration: halved after a commit slower than `slowMs`, grown by
 * a quarter (up to the read's size) after a full one faster than `fastMs`. A quiet system commits
 * in one go as before; a loaded one in pieces that each keep Redis for about a second at most. The
 * SLA sweep's commits (up to 1,000 overdue cases: a backfill's disputes fall due by the hundred)
 * are sized the same way.
 *
 * Cutting is safe: each event still updates its region and every ancestor in one commit, a case's
 * version check makes a later piece read what an earlier one wrote, and each piece acknowledges
 * its own entries.
 */
export interface CommitSizeOptions {
  /** The largest piece: the read's batch size. */
  max: number;
  min?: number;
  slowMs?: number;
  fastMs?: number;
}

export class CommitSize {
  private size: number;
  private readonly min: number;
  private readonly slowMs: number;
  private readonly fastMs: number;

  constructor(private readonly o: CommitSizeOptions) {
    this.min = Math.min(o.min ?? 50, o.max);
    this.slowMs = o.slowMs ?? 1_000;
    this.fastMs = o.fastMs ?? 250;
    this.size = o.max;
  }

  /** Entries the next commit takes. */
  get current(): number {
    return this.size;
  }

  /** Tells how long a commit of `entries` took; true when that made the next one smaller. */
  took(ms: number, entries: number): boolean {
    const before = this.size;
    if (ms > this.slowMs) this.size = Math.max(this.min, Math.floor(Math.min(this.size, entries) / 2));
    else if (ms < this.fastMs && entries >= this.size) this.size = Math.min(this.o.max, Math.ceil(this.size * 1.25));
    return this.size < before;
  }
}
