/** Copies handed over and not yet echoed beyond this are forgotten, oldest first (a publish that failed). */
const MAX_AWAITED = 1_000;

/**
 * Alerts this process publishes, handed to its own hub at once: through Redis pub/sub they waited
 * for the PUBLISH's round trip and then for the subscriber's turn of the event loop, both behind
 * whatever else the process was doing. Other processes still hear them through pub/sub; the echo
 * that pub/sub brings back to this one is recognised by its exact text and dropped.
 */
export class LocalAlertFeed {
  private listener: ((message: string) => void) | undefined;
  /** Messages handed over whose echo has not come back yet, with how many times each. */
  private readonly awaited = new Map<string, number>();

  /** The hub's handler of an alert message. */
  listen(fn: (message: string) => void): void {
    this.listener = fn;
  }

  /** A message about to be published: to the local hub now, if there is one listening. */
  publishing(message: string): void {
    if (!this.listener) return;
    this.awaited.set(message, (this.awaited.get(message) ?? 0) + 1);
    if (this.awaited.size > MAX_AWAITED) this.awaited.delete(this.awaited.keys().next().value!);
    this.listener(message);
  }

  /** True for pub/sub's copy of a message already handed over here (which it then forgets). */
  echo(message: string): boolean {
    const n = this.awaited.get(message);
    if (n === undefined) return false;
    if (n > 1) this.awaited.set(message, n - 1);
    else this.awaited.delete(message);
    return true;
  }
}
