import { z } from 'zod';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import {
  DISPUTE_CATEGORIES,
  RISK_MARKERS,
  WARNING_LEVELS,
  type RiskMarker,
  type WarningLevel,
} from '../../../shared/vocab.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { firstSeverities } from '../rule-buckets.ts';
import {
  categoryLabel,
  disputeName,
  commonAncestor,
  evidenceOf,
  markerList,
  severityLabel,
  shortTime,
  worse,
} from '../evidence.ts';
import { scaled, type AppliedEvent, type RuleEnv, type RuleModule, type Warning } from '../types.ts';
import { partyCases, pickParty } from '../parties.ts';

const level = z.enum(WARNING_LEVELS);

export const homicideRiskSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Any of these on a dispute: red (持械、扬言杀人). */
  redMarkers: z.array(z.enum(RISK_MARKERS)).default(['weapon', 'kill_threat']),
  /** Any of these: orange (暴力倾向、自伤自杀). */
  orangeMarkers: z.array(z.enum(RISK_MARKERS)).default(['violence_threat', 'self_harm']),
  repeatParties: z
    .strictObject({
      minDisputes: z.number().int().min(2),
      windowDays: z.number().int().min(1).max(40),
      level,
    })
    .default({ minDisputes: 3, windowDays: 30, level: 'orange' }),
  escalation: z
    .strictObject({
      categories: z.array(z.enum(DISPUTE_CATEGORIES)).min(1),
      /** Rise over the first severity seen for the case. */
      minRise: z.number().int().min(1).max(3),
      level,
      /** At or above these severities the escalation is orange, then red. */
      orangeAtSeverity: z.number().int().min(1).max(4),
      redAtSeverity: z.number().int().min(1).max(4),
    })
    .default({
      categories: ['family', 'neighbour', 'debt'],
      minRise: 1,
      level: 'yellow',
      orangeAtSeverity: 3,
      redAtSeverity: 4,
    }),
});
export type HomicideRiskConfig = z.infer<typeof homicideRiskSchema>;

/** A dispute event that still describes a live conflict (a resolved one carries no new risk). */
const live = (e: StoredEvent) => e.kind === 'dispute' && e.status !== 'resolved' && e.status !== 'verified';

function markerWarning(env: RuleEnv, e: StoredEvent, cfg: HomicideRiskConfig, now: number): Warning | undefined {
  const marks = e.riskMarkers ?? [];
  const red = marks.filter((m) => cfg.redMarkers.includes(m));
  const orange = marks.filter((m) => cfg.orangeMarkers.includes(m));
  if (!red.length && !orange.length) return undefined;
  const found = [...red, ...orange];
  const lvl: WarningLevel = red.length ? 'red' : 'orange';
  return {
    rule: 'homicide_risk',
    level: lvl,
    region: e.region,
    caseId: e.caseId,
    subject: e.caseId,
    title: `命案风险：${disputeName(e.category)}${markerList(found)}`,
    explanation:
      `${env.place(e.region)}${disputeName(e.category)}（案件 ${e.caseId}，${severityLabel(e.severity)}）` +
      `${shortTime(e.ts, now)}报告风险标记${markerList(found)}。规则：出现${markerList(cfg.redMarkers as RiskMarker[])}为红色预警，` +
      `出现${markerList(cfg.orangeMarkers as RiskMarker[])}为橙色预警。事件 ${e.id}：${e.summary}`,
    evidence: [evidenceOf(e)],
  };
}

async function escalationWarnings(
  env: RuleEnv,
  events: StoredEvent[],
  cfg: HomicideRiskConfig,
  now: number,
): Promise<Warning[]> {
  const watched = events.filter((e) => (cfg.escalation.categories as string[]).includes(e.category));
  if (!watched.length) return [];
  // The first severity seen for the case, kept 45 days after its latest watched event.
  const firsts = await firstSeverities(env, watched);
  const out: Warning[] = [];
  watched.forEach((e, i) => {
    const first = firsts[i]!;
    const rise = e.severity - first;
    const marked = e.riskMarkers?.includes('escalating') ?? false;
    if (rise < cfg.escalation.minRise && !marked) return;
    const esc = cfg.escalation;
    const lvl: WarningLevel =
      e.severity >= esc.redAtSeverity
        ? 'red'
        : e.severity >= esc.orangeAtSeverity
          ? worse(esc.level, 'orange')
          : esc.level;
    const how = rise > 0 ? `严重程度由${severityLabel(first)}升至${severityLabel(e.severity)}` : '被标记为「矛盾升级」';
    out.push({
      rule: 'homicide_risk',
      level: lvl,
      region: e.region,
      caseId: e.caseId,
      subject: e.caseId,
      title: `命案风险：${disputeName(e.category)}矛盾升级`,
      explanation:
        `${env.place(e.region)}${disputeName(e.category)}（案件 ${e.caseId}）${shortTime(e.ts, now)}${how}。` +
        `规则：婚姻家庭、邻里、债务纠纷严重程度上升 ${cfg.escalation.minRise} 级及以上或标记矛盾升级即预警，` +
        `达到${severityLabel(cfg.escalation.orangeAtSeverity)}为橙色、${severityLabel(cfg.escalation.redAtSeverity)}为红色。事件 ${e.id}：${e.summary}`,
      evidence: [evidenceOf(e)],
    });
  });
  return out;
}

async function partyWarnings(
  env: RuleEnv,
  events: StoredEvent[],
  cfg: HomicideRiskConfig,
  now: number,
): Promise<Warning[]> {
  const withParties = events.filter((e) => e.parties?.length);
  if (!withParties.length) return [];
  const rp = cfg.repeatParties;
  const cases = await partyCases(env, 'd', withParties, rp.windowDays * 86_400_000, now);
  const out: Warning[] = [];
  for (const e of withParties) {
    const min = scaled(rp.minDisputes, env.tuning(e.region, now));
    const hit = pickParty(e, cases, min);
    if (!hit) continue;
    const [party, list] = hit;
    const region = commonAncestor(list.map((c) => c.region));
    const cats = [...new Set(list.map((c) => categoryLabel(c.category)))].join('、');
    out.push({
      rule: 'homicide_risk',
      level: rp.level,
      region,
      subject: `party:${party}`,
      title: `命案风险：同一当事人 ${rp.windowDays} 日内 ${list.length} 起纠纷`,
      explanation:
        `${env.place(region)}同一当事人（${party.slice(0, 8)}）${rp.windowDays} 日内涉及 ${list.length} 起矛盾纠纷（${cats}），` +
        `案件 ${list.map((c) => c.caseId).join('、')}。规则：同一当事人 ${rp.windowDays} 日内纠纷达到 ${min} 起即预警（矛盾反复，防止民转刑）。`,
      evidence: list.map((c) =>
        c.caseId === e.caseId
          ? { ...evidenceOf(e), id: c.caseId }
          : {
              id: c.caseId,
              at: isoBeijing(c.ts),
              summary: `同一当事人的${disputeName(c.category)}`,
              caseId: c.caseId,
              region: c.region,
              category: c.category,
            },
      ),
    });
  }
  return out;
}

/**
 * 命案风险: a live dispute with violent markers (red for a weapon or a threat to kill), a
 * family/neighbour/debt dispute rising in severity, or the same parties in several disputes.
 */
export const homicideRisk: RuleModule<HomicideRiskConfig> = {
  id: 'homicide_risk',
  schema: homicideRiskSchema,
  onEventsAtOnce(env, events, cfg) {
    const now = env.clock.now();
    return events.filter(live).flatMap((e) => markerWarning(env, e, cfg, now) ?? []);
  },
  async onEvents(env, applied: AppliedEvent[], cfg) {
    const now = env.clock.now();
    const disputes = applied.map((a) => a.event).filter(live);
    if (!disputes.length) return [];
    return [...(await escalationWarnings(env, disputes, cfg, now)), ...(await partyWarnings(env, disputes, cfg, now))];
  },
};
