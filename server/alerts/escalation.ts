import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Alerts } from './service.ts';
import { startSweep, type Sweep } from './sweep.ts';

export const AUTO_ESCALATION_NOTE = '超时未签收，自动升级至上级值班台';

/**
 * Escalates alerts nobody signed for in time. Every server process may run one: the script acts
 * only while the deadline is still passed, so two timers never escalate the same alert twice; a
 * page that moved nothing (empty, at the top desk, or another process won) ends the sweep.
 */
export function startEscalation(o: { alerts: Alerts; clock: Clock; logger: Logger; everyMs?: number }): Sweep {
  return startSweep({
    what: 'alert escalation',
    logger: o.logger,
    ...(o.everyMs === undefined ? {} : { everyMs: o.everyMs }),
    async page() {
      let moved = 0;
      for (const id of await o.alerts.store.overdueForSigning(o.clock.now())) {
        const r = await o.alerts.act(id, {
          action: 'escalate',
          actor: 'system',
          auto: true,
          note: AUTO_ESCALATION_NOTE,
        });
        if (r.ok) moved++;
      }
      return moved;
    },
  });
}
