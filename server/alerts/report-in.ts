import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Alerts } from './service.ts';

/**
 * Flags dispatched departments that have not reported in by their deadline (报到超时): the step
 * writes the alert's history and pushes the alert, so the desk, the wall and the department see it.
 * Like the escalation timer, every process may run one: the script flags a department once.
 */
export function startReportInSweep(o: { alerts: Alerts; clock: Clock; logger: Logger; everyMs?: number }): {
  stop(): Promise<void>;
  tick(): Promise<number>;
} {
  let busy: Promise<number> | undefined;

  async function run(): Promise<number> {
    let n = 0;
    for (;;) {
      const due = await o.alerts.store.lateReports(o.clock.now());
      let flagged = 0;
      for (const [id, key] of due) {
        const r = await o.alerts.act(id, { action: 'late', actor: 'system', step: { key } });
        if (r.ok) flagged++;
      }
      n += flagged;
      // The script removes what it refuses (reported, resolved), so a page that flagged nothing is the end.
      if (flagged === 0) return n;
    }
  }

  function tick(): Promise<number> {
    busy ??= run()
      .catch((err: unknown) => {
        o.logger.error({ err }, 'report-in sweep failed; retrying on the next tick');
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
