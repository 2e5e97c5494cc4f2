import { z } from 'zod';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { WARNING_LEVELS } from '../../../shared/vocab.ts';
import { commonAncestor, evidenceOf, levelFor } from '../evidence.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { scaled, type RuleModule, type Warning } from '../types.ts';
import { partyCases, pickParty } from '../parties.ts';

const thresholds = z
  .partialRecord(z.enum(WARNING_LEVELS), z.number().int().min(2))
  .refine((t) => Object.keys(t).length > 0, 'needs at least one level');

export const repeatSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The same party petitioning again and again (重复信访): cases in the window → level. */
  party: z
    .strictObject({ windowDays: z.number().int().min(1).max(40), levels: thresholds })
    .default({ windowDays: 30, levels: { blue: 3, yellow: 5 } }),
  /** Many petitions from one village. */
  village: z
    .strictObject({ windowDays: z.number().int().min(1).max(40), levels: thresholds })
    .default({ windowDays: 7, levels: { yellow: 5, orange: 10 } }),
});
export type RepeatConfig = z.infer<typeof repeatSchema>;

/** A petition: the petition category, or anything that came in through the petition channel. */
const isPetition = (e: StoredEvent) => e.category === 'petition' || e.channel === 'petition';
const minOf = (t: Partial<Record<string, number>>) =>
  Math.min(...Object.values(t).filter((v): v is number => v !== undefined));

async function villageWarnings(
  env: Parameters<NonNullable<RuleModule<RepeatConfig>['onEvents']>>[0],
  petitions: StoredEvent[],
  cfg: RepeatConfig,
  now: number,
): Promise<Warning[]> {
  const inVillages = petitions.filter((e) => e.region.length === 12);
  if (!inVillages.length) return [];
  const windowMs = cfg.village.windowDays * 86_400_000;
  const villages = [...new Set(inVillages.map((e) => e.region))];
  const tx = env.redis.multi();
  for (const e of inVillages) tx.zadd(env.wkeys.villagePetitions(e.region), 'NX', e.ts, e.caseId);
  for (const v of villages) {
    const k = env.wkeys.villagePetitions(v);
    tx.zremrangebyscore(k, '-inf', now - windowMs - 86_400_000).expire(k, cfg.village.windowDays * 86_400 + 86_400);
    tx.zrangebyscore(k, now - windowMs, '+inf');
  }
  const replies = (await tx.exec()) ?? [];
  const base = inVillages.length;
  const out: Warning[] = [];
  villages.forEach((v, i) => {
    const cases = (replies[base + i * 3 + 2]?.[1] ?? []) as string[];
    const t = env.tuning(v, now);
    const level = levelFor(
      cases.length,
      Object.fromEntries(Object.entries(cfg.village.levels).map(([l, n]) => [l, scaled(n!, t)])),
    );
    if (!level) return;
    const latest = inVillages.filter((e) => e.region === v);
    out.push({
      rule: 'repeat',
      level,
      region: v,
      subject: 'village',
      title: `重复信访：同一村（社区）${cfg.village.windowDays} 日内 ${cases.length} 起信访`,
      explanation:
        `${env.place(v)}${cfg.village.windowDays} 日内信访 ${cases.length} 起（案件 ${cases.slice(-10).join('、')}）。` +
        `规则：同一村（社区）${cfg.village.windowDays} 日内信访达到 ${scaled(minOf(cfg.village.levels), t)} 起即预警。`,
      evidence: latest.map((e) => ({ ...evidenceOf(e), id: e.caseId })),
    });
  });
  return out;
}

/**
 * 重复信访: the same party petitioning repeatedly within a window, or a village with many
 * petitions. (Repeat disputes between the same parties are the homicide-risk rule's concern.)
 */
export const repeat: RuleModule<RepeatConfig> = {
  id: 'repeat',
  schema: repeatSchema,
  async onEvents(env, applied, cfg) {
    const now = env.clock.now();
    const petitions = applied.map((a) => a.event).filter(isPetition);
    if (!petitions.length) return [];
    const out: Warning[] = [];
    const withParties = petitions.filter((e) => e.parties?.length);
    if (withParties.length) {
      const cases = await partyCases(env, 'p', withParties, cfg.party.windowDays * 86_400_000, now);
      for (const e of withParties) {
        const t = env.tuning(e.region, now);
        const levels = Object.fromEntries(Object.entries(cfg.party.levels).map(([l, n]) => [l, scaled(n!, t)]));
        const hit = pickParty(e, cases, minOf(levels));
        if (!hit) continue;
        const [party, list] = hit;
        const level = levelFor(list.length, levels)!;
        const region = commonAncestor(list.map((c) => c.region));
        out.push({
          rule: 'repeat',
          level,
          region,
          subject: `party:${party}`,
          title: `重复信访：同一人 ${cfg.party.windowDays} 日内 ${list.length} 次`,
          explanation:
            `${env.place(region)}同一信访人（${party.slice(0, 8)}）${cfg.party.windowDays} 日内信访 ${list.length} 次，` +
            `案件 ${list.map((c) => c.caseId).join('、')}。规则：${cfg.party.windowDays} 日内达到 ${minOf(levels)} 次即预警。`,
          evidence: list.map((c) =>
            c.caseId === e.caseId
              ? { ...evidenceOf(e), id: c.caseId }
              : {
                  id: c.caseId,
                  at: isoBeijing(c.ts),
                  summary: '同一信访人此前的信访',
                  caseId: c.caseId,
                  region: c.region,
                  category: c.category,
                },
          ),
        });
      }
    }
    out.push(...(await villageWarnings(env, petitions, cfg, now)));
    return out;
  },
};
