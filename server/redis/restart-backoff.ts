export interface RestartBackoffOptions {
  /** The wait before the first restart. */
  initialDelayMs: number;
  /** No wait grows past this. */
  maxDelayMs: number;
  /** A child that stayed up this long had recovered: the next crash waits the first delay again. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffOptions = {
  initialDelayMs: 200,
  maxDelayMs: 15_000,
  resetAfterMs: 60_000,
};

/**
 * How long to wait before starting a crashed process again: quick after a one-off crash, doubling
 * while it keeps crashing (a full disk or a corrupt file would otherwise spin a core on restarts).
 */
export class RestartBackoff {
  private delay: number;

  constructor(private readonly o: RestartBackoffOptions = DEFAULT_RESTART_BACKOFF) {
    this.delay = o.initialDelayMs;
  }

  /** The wait before the next start, given how long the child that just died had been up. */
  next(upMs: number): number {
    if (upMs >= this.o.resetAfterMs) this.delay = this.o.initialDelayMs;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.maxDelayMs);
    return wait;
  }
}
