import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Alerts } from './service.ts';
import { startSweep, type Sweep } from './sweep.ts';

/**
 * Flags dispatched departments that have not reported in by their deadline (报到超时): the step
 * writes the alert's history and pushes the alert, so the desk, the wall and the department see it.
 * Like the escalation timer, every process may run one: the script flags a department once, and
 * removes what it refuses (reported, resolved), so a page that flagged nothing is the end.
 */
export function startReportInSweep(o: { alerts: Alerts; clock: Clock; logger: Logger; everyMs?: number }): Sweep {
  return startSweep({
    what: 'report-in sweep',
    logger: o.logger,
    ...(o.everyMs === undefined ? {} : { everyMs: o.everyMs }),
    async page() {
      let flagged = 0;
      for (const [id, key] of await o.alerts.store.lateReports(o.clock.now())) {
        const r = await o.alerts.act(id, { action: 'late', actor: 'system', step: { key } });
        if (r.ok) flagged++;
      }
      return flagged;
    },
  });
}
