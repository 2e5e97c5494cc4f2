import type { Redis } from 'ioredis';
import { ancestry } from '../../shared/regions.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Keys } from '../redis/keys.ts';
import type { RegionTree } from '../regions/tree.ts';
import { createAlerts, type Alerts } from '../alerts/service.ts';
import type { AuditLog } from '../audit/log.ts';
import { startEscalation } from '../alerts/escalation.ts';
import { loadRulesConfig, signLimitMs, type WarningsConfig } from './config.ts';
import { createWarnings, type WarningsEngine } from './engine.ts';

export interface Alerting {
  rules: WarningsConfig;
  alerts: Alerts;
  /** The pipeline's AfterAggregation hook. */
  warnings: WarningsEngine;
  /**
   * Starts the escalation timer (unless `escalation: false`, for a thread whose server runs it)
   * and, with `rules`, the periodic rules; returns the stop.
   */
  start(o: { rules: boolean; escalation?: boolean; escalateEveryMs?: number }): () => Promise<void>;
}

/** 张掖市甘州区梁家墩镇: names below the province, as the explanations speak of places. */
export function placeName(tree: RegionTree): (code: string) => string {
  return (code) =>
    ancestry(code)
      .slice(1)
      .map((c) => tree.get(c)?.name ?? c)
      .join('') ||
    (tree.get(code)?.name ?? code);
}

/** The rules (validated at start: a bad file stops the server with the rule and field named), alerts and timers. */
export function setupAlerting(o: {
  redis: Redis;
  keys: Keys;
  clock: Clock;
  logger: Logger;
  tree: RegionTree;
  rules?: WarningsConfig;
  audit?: Pick<AuditLog, 'append'>;
}): Alerting {
  const rules = o.rules ?? loadRulesConfig();
  const alerts = createAlerts({
    redis: o.redis,
    keys: o.keys,
    clock: o.clock,
    signLimitMs: (l, r, t) => signLimitMs(rules, l, r, t),
    ...(o.audit ? { audit: o.audit } : {}),
  });
  const warnings = createWarnings({
    redis: o.redis,
    keys: o.keys,
    clock: o.clock,
    logger: o.logger,
    alerts,
    config: rules,
    place: placeName(o.tree),
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
      const stopTicks = withRules ? warnings.start() : () => undefined;
      return async () => {
        stopTicks();
        await escalation?.stop();
      };
    },
  };
}
