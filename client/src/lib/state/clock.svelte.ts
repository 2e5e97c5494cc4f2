/**
 * The wall's one ticking clock: `now` (epoch ms) advances once a second, on the second, so the
 * clock, the data-age counter and "N分钟前" labels all change together.
 */
export class ClockState {
  now = $state(Date.now());

  /** Starts ticking; returns the teardown. */
  start(): () => void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = () => {
      const now = Date.now();
      this.now = now;
      // Re-aligned on every tick so the displayed seconds never drift or skip.
      timer = setTimeout(tick, 1000 - (now % 1000) + 5);
    };
    tick();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }
}
