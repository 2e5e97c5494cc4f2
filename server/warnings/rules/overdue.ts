import { z } from 'zod';
import { WARNING_LEVELS, type DisputeCategory } from '../../../shared/vocab.ts';
import { DEFAULT_SLA } from '../../aggregate/sla.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { disputeName, shortTime, worse } from '../evidence.ts';
import type { RuleModule, Warning } from '../types.ts';

export const overdueSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Not dispatched (分流) within its SLA after being received. */
  dispatchLevel: z.enum(WARNING_LEVELS).default('yellow'),
  /** Not resolved (化解) within its SLA. */
  resolveLevel: z.enum(WARNING_LEVELS).default('orange'),
});
export type OverdueConfig = z.infer<typeof overdueSchema>;

function duration(ms: number): string {
  const h = ms / 3600_000;
  return h >= 48 ? `${Math.round(h / 24)} 天` : `${Math.round(h)} 小时`;
}

/**
 * 超期: the aggregator's SLA sweep tells which open disputes just passed a deadline (flag `d`
 * dispatch, `r` resolution). A resolved dispute is never flagged: the sweep only looks at open ones.
 */
export const overdue: RuleModule<OverdueConfig> = {
  id: 'overdue',
  schema: overdueSchema,
  async onSwept(env, swept, cfg) {
    const flagged = swept.changed.filter((c) => c.flags !== '');
    if (!flagged.length) return [];
    const tx = env.redis.multi();
    for (const c of flagged) tx.hmget(env.keys.case(c.caseId), 'k', 'r', 'c', 's', 't0', 'od');
    const replies = (await tx.exec()) ?? [];
    const now = env.clock.now();
    const out: Warning[] = [];
    flagged.forEach((c, i) => {
      const [k, region, category, status, t0, od] = (replies[i]?.[1] ?? []) as (string | null)[];
      // The case may have moved on since the sweep (resolved in between): trust its current flags.
      if (k !== 'd' || !region || !category || !t0 || !od) return;
      const sla = DEFAULT_SLA[category as DisputeCategory] ?? DEFAULT_SLA['*'];
      const received = Number(t0);
      const parts: string[] = [];
      const evidence = [];
      let level = cfg.dispatchLevel;
      if (od.includes('d')) {
        parts.push(`受理后超过分流时限 ${duration(sla.dispatchMs)} 仍未分流`);
        evidence.push({
          id: `${c.caseId}:d`,
          at: isoBeijing(received + sla.dispatchMs),
          summary: `超过分流时限（${duration(sla.dispatchMs)}）`,
          caseId: c.caseId,
          region,
          category,
          status: status ?? '',
        });
      }
      if (od.includes('r')) {
        parts.push(`超过化解时限 ${duration(sla.resolveMs)} 仍未化解`);
        evidence.push({
          id: `${c.caseId}:r`,
          at: isoBeijing(received + sla.resolveMs),
          summary: `超过化解时限（${duration(sla.resolveMs)}）`,
          caseId: c.caseId,
          region,
          category,
          status: status ?? '',
        });
        level = od.includes('d') ? worse(cfg.resolveLevel, cfg.dispatchLevel) : cfg.resolveLevel;
      }
      out.push({
        rule: 'overdue',
        level,
        region,
        caseId: c.caseId,
        subject: c.caseId,
        title: `超期未办：${disputeName(category)}${od.includes('r') ? '超期未化解' : '超期未分流'}`,
        explanation:
          `${env.place(region)}${disputeName(category)}（案件 ${c.caseId}）${shortTime(received, now)}受理，${parts.join('，')}。` +
          `规则：${disputeName(category)}应在 ${duration(sla.dispatchMs)} 内分流、${duration(sla.resolveMs)} 内化解；超期预警未按时签收的自动升级至上级值班台。`,
        evidence,
      });
    });
    return out;
  },
};
