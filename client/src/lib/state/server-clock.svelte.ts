/**
 * The server's time as this page can tell it. A duty PC's clock may be minutes off, and the
 * deadlines the desk counts down (签收, 报到, 督办) are the server's: counted on the page's own
 * clock, a PC 11 minutes slow said 71分钟内签收 of a 60-minute limit. The offset is learned from
 * moments the server stamped as its now (a snapshot's asOf at subscribe, a step's updatedAt);
 * the reply's travel time (milliseconds) is left in it.
 */
export class ServerClock {
  /** Server time minus page time, ms. */
  offset = $state(0);
  readonly #pageNow: () => number;

  /** `pageNow` should read a reactive clock (ClockState.now) so `now` ticks with it. */
  constructor(pageNow: () => number) {
    this.#pageNow = pageNow;
  }

  /**
   * The server said `stamped` (ISO 8601) was its now, just received. Measured against the page
   * clock `now` reads (it ticks once a second), not Date.now(): else a fresh 60-minute deadline
   * read 61分钟内签收 until the next tick.
   */
  heard(stamped: string): void {
    const server = Date.parse(stamped);
    if (Number.isFinite(server)) this.offset = server - this.#pageNow();
  }

  /** The server's now, epoch ms. */
  get now(): number {
    return this.#pageNow() + this.offset;
  }
}
