import { z } from 'zod';
import type { StoredEvent } from '../../../shared/schemas/event.ts';
import { INCIDENT_CATEGORIES, WARNING_LEVELS } from '../../../shared/vocab.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { categoryLabel, commonAncestor, evidenceOf, levelFor } from '../evidence.ts';
import { scaled, type RuleEnv, type RuleModule, type Warning } from '../types.ts';

const HOUR = 3600_000;

export const clusterSchema = z.strictObject({
  enabled: z.boolean().default(true),
  categories: z.array(z.enum(INCIDENT_CATEGORIES)).min(1).default(['criminal', 'public_order', 'fraud', 'fire']),
  radiusMeters: z.number().int().min(50).max(20_000).default(1000),
  windowMinutes: z.number().int().min(5).max(360).default(60),
  /** Distinct incidents of one category within the radius and window → level. */
  levels: z
    .partialRecord(z.enum(WARNING_LEVELS), z.number().int().min(2))
    .refine((t) => Object.keys(t).length > 0, 'needs at least one level')
    .default({ yellow: 5, orange: 10 }),
});
export type ClusterConfig = z.infer<typeof clusterSchema>;

interface Member {
  ts: number;
  caseId: string;
  region: string;
}

const encode = (e: StoredEvent) => `${e.ts}|${e.caseId}|${e.region}`;
function decode(m: string): Member {
  const [ts, caseId = '', region = ''] = m.split('|');
  return { ts: Number(ts), caseId, region };
}

/** Hour buckets whose GEO sets may hold incidents within `windowMs` of `ts`. */
const bucketsAround = (ts: number, windowMs: number) => {
  const out = [];
  for (let b = Math.floor((ts - windowMs) / HOUR); b <= Math.floor((ts + windowMs) / HOUR); b++) out.push(b);
  return out;
};

/** For each incident, the distinct incidents of its category around it in space and time: one pipeline. */
async function neighbours(env: RuleEnv, incidents: StoredEvent[], cfg: ClusterConfig): Promise<Member[][]> {
  const windowMs = cfg.windowMinutes * 60_000;
  const tx = env.redis.multi();
  const perEvent = incidents.map((e) => {
    const bs = bucketsAround(e.ts, windowMs);
    for (const b of bs) {
      tx.call(
        'GEOSEARCH',
        env.wkeys.geo(e.category, b),
        'FROMLONLAT',
        e.location!.lng,
        e.location!.lat,
        'BYRADIUS',
        cfg.radiusMeters,
        'm',
      );
    }
    return bs.length;
  });
  const replies = (await tx.exec()) ?? [];
  let at = 0;
  return incidents.map((e, i) => {
    const seen = new Map<string, Member>();
    for (let j = 0; j < perEvent[i]!; j++) {
      for (const m of (replies[at++]?.[1] ?? []) as string[]) {
        const d = decode(m);
        if (Math.abs(d.ts - e.ts) <= windowMs && !seen.has(d.caseId)) seen.set(d.caseId, d);
      }
    }
    return [...seen.values()].sort((a, b) => a.ts - b.ts);
  });
}

/**
 * 聚集: several new incidents of one category within a small radius and time. Positions go into
 * per-category, per-hour GEO sets that expire by themselves; each new incident looks around it.
 */
export const cluster: RuleModule<ClusterConfig> = {
  id: 'cluster',
  schema: clusterSchema,
  async onEvents(env, applied, cfg) {
    const now = env.clock.now();
    const incidents = applied
      .filter((a) => a.code !== 'C' && a.code !== 'U')
      .map((a) => a.event)
      .filter((e) => e.kind === 'incident' && e.location && (cfg.categories as string[]).includes(e.category));
    if (!incidents.length) return [];
    const add = env.redis.multi();
    const ttl = Math.ceil((cfg.windowMinutes * 60_000 + 2 * HOUR) / 1000);
    for (const e of incidents) {
      const k = env.wkeys.geo(e.category, Math.floor(e.ts / HOUR));
      add.geoadd(k, e.location!.lng, e.location!.lat, encode(e)).expire(k, ttl);
    }
    await add.exec();
    const around = await neighbours(env, incidents, cfg);
    const out: Warning[] = [];
    for (const [i, e] of incidents.entries()) {
      const near = around[i]!;
      const t = env.tuning(e.region, now);
      const levels = Object.fromEntries(Object.entries(cfg.levels).map(([l, n]) => [l, scaled(n!, t)]));
      const level = levelFor(near.length, levels);
      if (!level) continue;
      const region = commonAncestor(near.map((m) => m.region));
      const from = isoBeijing(near[0]!.ts).slice(11, 16);
      const to = isoBeijing(near[near.length - 1]!.ts).slice(11, 16);
      out.push({
        rule: 'cluster',
        level,
        region,
        subject: e.category,
        title: `警情聚集：${categoryLabel(e.category)} ${near.length} 起`,
        explanation:
          `${env.place(region)}${from}–${to} 在半径 ${cfg.radiusMeters} 米内发生${categoryLabel(e.category)} ${near.length} 起` +
          `（案件 ${near
            .map((m) => m.caseId)
            .slice(-10)
            .join('、')}）。规则：${cfg.windowMinutes} 分钟内、半径 ${cfg.radiusMeters} 米内同类警情达到 ` +
          `${Math.min(...Object.values(levels))} 起即预警。`,
        evidence: near.map((m) =>
          m.caseId === e.caseId
            ? { ...evidenceOf(e), id: m.caseId }
            : {
                id: m.caseId,
                at: isoBeijing(m.ts),
                summary: `附近的${categoryLabel(e.category)}`,
                caseId: m.caseId,
                region: m.region,
                category: e.category,
              },
        ),
      });
    }
    return out;
  },
};
