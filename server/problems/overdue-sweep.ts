import type { Logger } from '../log.ts';
import { startSweep, type Sweep } from '../alerts/sweep.ts';
import type { Problems } from './service.ts';

/**
 * Flags milestones past their deadline and not done (逾期) with the alerts' sweep timer. A sweep
 * rather than a check at read time: the flag is a step of its own in the problem's history and
 * the audit chain, and it must move the walls the moment a deadline passes, when nobody reads the
 * problem (screens never poll). Views still compute `overdue` from the clock, so a reply between
 * two sweeps is already right. Every process may run one: the step flags a milestone once.
 */
export function startOverdueSweep(o: { problems: Problems; logger: Logger; everyMs?: number }): Sweep {
  return startSweep({
    what: 'milestone overdue sweep',
    logger: o.logger,
    ...(o.everyMs === undefined ? {} : { everyMs: o.everyMs }),
    page: () => o.problems.flagOverdue(),
  });
}
