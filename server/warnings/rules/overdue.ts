import { z } from 'zod';
import { WARNING_LEVELS, type DisputeCategory } from '../../../shared/vocab.ts';
import { DEFAULT_SLA } from '../../aggregate/sla.ts';
import { readCases } from '../../aggregate/case-store.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { disputeName, shortTime, worse } from '../evidence.ts';
import type { RuleEnv, RuleModule, Warning } from '../types.ts';

export const overdueSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Not dispatched (分流) within its SLA after being received. */
  dispatchLevel: z.enum(WARNING_LEVELS).default('yellow'),
  /** Not resolved (化解) within its SLA. */
  resolveLevel: z.enum(WARNING_LEVELS).default('orange'),
  /**
   * A dispute already past its limit when applied is judged this much later, once the rest of its
   * backlog is in: replaying a day of history applies a case's receipt before its dispatch.
   */
  applyGraceMinutes: z.number().min(0).max(120).default(10),
});
export type OverdueConfig = z.infer<typeof overdueSchema>;

function duration(ms: number): string {
  const h = ms / 3600_000;
  return h >= 48 ? `${Math.round(h / 24)} 天` : `${Math.round(h)} 小时`;
}

/** Overdue warnings for cases whose current flags say so (read now, so a case resolved meanwhile is left out). */
async function judge(env: RuleEnv, caseIds: string[], cfg: OverdueConfig): Promise<Warning[]> {
  if (!caseIds.length) return [];
  const now = env.clock.now();
  const cases = await readCases(env.redis, env.keys, caseIds, now);
  const out: Warning[] = [];
  caseIds.forEach((caseId) => {
    const c = cases.get(caseId)?.state;
    if (c?.k !== 'd' || !c.od) return;
    const { r: region, c: category, s: status, t0: received, od } = c;
    const sla = DEFAULT_SLA[category as DisputeCategory] ?? DEFAULT_SLA['*'];
    const parts: string[] = [];
    const evidence: Warning['evidence'] = [];
    // One line of explanation and one piece of evidence per limit passed: 'd' dispatch, 'r' resolution.
    const breach = (flag: 'd' | 'r', limitMs: number, limit: string, undone: string) => {
      parts.push(`${flag === 'd' ? '受理后' : ''}超过${limit} ${duration(limitMs)} 仍未${undone}`);
      evidence.push({
        id: `${caseId}:${flag}`,
        at: isoBeijing(received + limitMs),
        summary: `超过${limit}（${duration(limitMs)}）`,
        caseId,
        region,
        category,
        status,
      });
    };
    let level = cfg.dispatchLevel;
    if (od.includes('d')) breach('d', sla.dispatchMs, '分流时限', '分流');
    if (od.includes('r')) {
      breach('r', sla.resolveMs, '化解时限', '化解');
      level = od.includes('d') ? worse(cfg.resolveLevel, cfg.dispatchLevel) : cfg.resolveLevel;
    }
    out.push({
      rule: 'overdue',
      level,
      region,
      caseId,
      // One alert per region, not per case: a backlog going overdue at once (after a restart, a
      // sweep after a holiday) is one row with a count; each case still counts once (evidence ids).
      subject: 'cases',
      title: `超期未办：矛盾纠纷${od.includes('r') ? '超期未化解' : '超期未分流'}`,
      explanation:
        `${env.place(region)}${disputeName(category)}（案件 ${caseId}）${shortTime(received, now)}受理，${parts.join('，')}。` +
        `规则：${disputeName(category)}应在 ${duration(sla.dispatchMs)} 内分流、${duration(sla.resolveMs)} 内化解；超期预警未按时签收的自动升级至上级值班台。`,
      evidence,
    });
  });
  return out;
}

/**
 * 超期: the aggregator's SLA sweep tells which open disputes just passed a deadline (flag `d`
 * dispatch, `r` resolution). A case that arrives already past one (a late report, a backfill) has
 * its flags set when applied, which no sweep reports: those are noted and judged after a grace
 * period, on their flags then. A resolved dispute is never flagged: only open ones are.
 */
export const overdue: RuleModule<OverdueConfig> = {
  id: 'overdue',
  schema: overdueSchema,
  async onEvents(env, applied, cfg) {
    // As the batch left them (the aggregator's plan knows): no read of the batch's disputes.
    const late = [...new Set(applied.filter((a) => a.overdue).map((a) => a.event.caseId))];
    if (late.length) {
      const at = env.clock.now() + cfg.applyGraceMinutes * 60_000;
      await env.redis.zadd(env.wkeys.overdueCheck, 'NX', ...late.flatMap((id) => [at, id]));
    }
    return [];
  },
  tickEveryMs: () => 60_000,
  async onTick(env, now, cfg) {
    const due = await env.redis.zrangebyscore(env.wkeys.overdueCheck, '-inf', now, 'LIMIT', 0, 1000);
    if (!due.length) return [];
    await env.redis.zrem(env.wkeys.overdueCheck, ...due);
    return judge(env, due, cfg);
  },
  async onSwept(env, swept, cfg) {
    return judge(
      env,
      swept.changed.filter((c) => c.flags !== '').map((c) => c.caseId),
      cfg,
    );
  },
};
