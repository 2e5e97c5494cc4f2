import type { Logger } from '../log.ts';

export interface Sweep {
  /** Runs a sweep now (or joins the one under way); resolves with how many alerts it acted on. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A timer that works through a queue page by page: `page()` acts on what is due and says how many
 * it acted on; a page that acted on nothing ends the sweep (empty, or another process won), so it
 * never spins. Sweeps never overlap, and a failed one is retried on the next tick. Time is read by
 * `page()` from the injected clock: the interval only decides how often we look.
 */
export function startSweep(o: { what: string; page: () => Promise<number>; logger: Logger; everyMs?: number }): Sweep {
  let busy: Promise<number> | undefined;

  async function run(): Promise<number> {
    let n = 0;
    for (;;) {
      const acted = await o.page();
      n += acted;
      if (acted === 0) return n;
    }
  }

  function tick(): Promise<number> {
    busy ??= run()
      .catch((err: unknown) => {
        o.logger.error({ err }, `${o.what} failed; retrying on the next tick`);
        return 0;
      })
      .finally(() => (busy = undefined));
    return busy;
  }

  const timer = setInterval(() => void tick(), o.everyMs ?? 1000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await busy;
    },
  };
}
