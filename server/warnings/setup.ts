import type { RedisClient } from '../redis/connection.ts';
import { provinceAncestry } from '../../shared/regions.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Keys } from '../redis/keys.ts';
import type { RegionTree } from '../regions/tree.ts';
import type { Alerts } from '../alerts/service.ts';
import { startEscalation } from '../alerts/escalation.ts';
import { startReportInSweep } from '../alerts/report-in.ts';
import type { WarningsConfig } from './config.ts';
import { createWarnings, type WarningsDeps, type WarningsEngine } from './engine.ts';

export interface Alerting {
  rules: WarningsConfig;
  alerts: Alerts;
  /** The pipeline's AfterAggregation hook. */
  warnings: WarningsEngine;
  /**
   * Starts the escalation timer and the report-in sweep (unless `escalation: false`, for a thread
   * whose server runs them)
   * and, with `rules`, the periodic rules; returns the stop.
   */
  start(o: { rules: boolean; escalation?: boolean; escalateEveryMs?: number }): () => Promise<void>;
}

/** 张掖市甘州区梁家墩镇: names below the province, as the explanations speak of places. */
export function placeName(tree: RegionTree): (code: string) => string {
  return (code) =>
    provinceAncestry(code)
      .slice(1)
      .map((c) => tree.get(c)?.name ?? c)
      .join('') ||
    (tree.get(code)?.name ?? code);
}

/**
 * The warning rules and the alert timers over an alerts service the composition root built (the
 * HTTP routes get the same one): warnings raise into it, timers escalate and flag late reports.
 */
export function setupAlerting(o: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  tree: RegionTree;
  rules: WarningsConfig;
  alerts: Alerts;
  /** 上报及时率's counting, where events are aggregated (the composition roots build it). */
  reports?: WarningsDeps['reports'];
}): Alerting {
  const { rules, alerts } = o;
  const warnings = createWarnings({
    redis: o.redis,
    keys: o.keys,
    clock: o.clock,
    logger: o.logger,
    alerts,
    config: rules,
    place: placeName(o.tree),
    ...(o.reports ? { reports: o.reports } : {}),
  });
  return {
    rules,
    alerts,
    warnings,
    start({ rules: withRules, escalation: withEscalation = true, escalateEveryMs }) {
      const escalation = withEscalation
        ? startEscalation({
            alerts,
            clock: o.clock,
            logger: o.logger,
            ...(escalateEveryMs ? { everyMs: escalateEveryMs } : {}),
          })
        : undefined;
      const sweep = withEscalation
        ? startReportInSweep({
            alerts,
            clock: o.clock,
            logger: o.logger,
            ...(escalateEveryMs ? { everyMs: escalateEveryMs } : {}),
          })
        : undefined;
      const stopTicks = withRules ? warnings.start() : () => undefined;
      return async () => {
        stopTicks();
        await escalation?.stop();
        await sweep?.stop();
      };
    },
  };
}
