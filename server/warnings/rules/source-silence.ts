/**
 * 失联 of a source system (来源系统): a department's system that usually reports but has gone quiet
 * for longer than its own history makes plausible. The same method as for regions (silence.ts):
 * the source's reports in the same hours of the last days are its Poisson baseline, a gap must be
 * at least `minGapMinutes`, and a province-wide quiet is the system being down, no source's silence.
 *
 * The warning belongs to the region the source's ingest keys bind it to (server/auth/ingest-keys.ts);
 * a source with no bound key (INGEST_KEYS, the inbound stream, the simulator) to the smallest region
 * holding everything it reported. That region's desk follows it up with the department, and the
 * episode counts against that region's 上报及时率.
 */
import { z } from 'zod';
import { WARNING_LEVELS } from '../../../shared/vocab.ts';
import { ingestKeysHash, sourceBindings } from '../../auth/ingest-keys.ts';
import { buckets, isoBeijing } from '../../time/beijing.ts';
import { commonAncestor, shortTime } from '../evidence.ts';
import { TIMELINESS_FORMULA } from '../../../shared/schemas/timeliness.ts';
import type { AppliedEvent, RuleEnv, Warning } from '../types.ts';
import { expectedInGaps, HOUR, quietMembers, type BaselineRead, type Gap } from './gaps.ts';

export const sourceSilenceSchema = z.strictObject({
  enabled: z.boolean().default(true),
  level: z.enum(WARNING_LEVELS).default('yellow'),
  /** Gaps shorter than this are never a source's silence, whatever its baseline says. */
  minGapMinutes: z.number().int().min(10).default(60),
  /** Reports the source usually sends in a gap this long before the gap counts (P(0 | Poisson(8)) ≈ 0.03 %). */
  minExpected: z.number().positive().default(8),
  /** Sources examined per check, the longest silent first. */
  maxSources: z.number().int().min(1).default(1000),
});
export type SourceSilenceConfig = z.infer<typeof sourceSilenceSchema>;
export const DEFAULT_SOURCE_SILENCE: SourceSilenceConfig = {
  enabled: true,
  level: 'yellow',
  minGapMinutes: 60,
  minExpected: 8,
  maxSources: 1000,
};

/** What the source check needs of the silence rule's config. */
export interface SourceCheckConfig {
  sources: SourceSilenceConfig;
  baselineDays: number;
  minBaselineDays: number;
  lookbackHours: number;
}

/**
 * Per batch: each source's last report (now), the new cases it reported per hour of the day they
 * were received, and the area it reports from. The baseline counts cases, not messages: a case's
 * lifecycle messages come in bursts, so messages are far from Poisson, while the cases a system
 * reports are close to it — and a system that is up but sends only updates is not silent anyway.
 */
export async function trackSources(
  env: RuleEnv,
  applied: readonly AppliedEvent[],
  cfg: SourceCheckConfig,
  now: number,
): Promise<void> {
  const regions = new Map<string, string[]>();
  const hours = new Map<string, number>();
  for (const { event: e, code, receivedAt } of applied) {
    const list = regions.get(e.source) ?? [];
    list.push(e.region);
    regions.set(e.source, list);
    if (code !== 'N') continue;
    const b = buckets(receivedAt ?? now);
    const k = `${b.day}\u0000${b.hour}\u0000${e.source}`;
    hours.set(k, (hours.get(k) ?? 0) + 1);
  }
  if (!regions.size) return;
  const sources = [...regions.keys()];
  const areas = await env.redis.hmget(env.wkeys.sourceArea, ...sources);
  const tx = env.redis.multi();
  tx.zadd(env.wkeys.sourceSeen, 'GT', ...sources.flatMap((s) => [now, s]));
  sources.forEach((s, i) => {
    const before = areas[i];
    const area = commonAncestor(before ? [before, ...regions.get(s)!] : regions.get(s)!);
    if (area !== before) tx.hset(env.wkeys.sourceArea, s, area);
  });
  const ttl = (cfg.baselineDays + 2) * 86_400;
  for (const [k, n] of hours) {
    const [day, hour, source] = k.split('\u0000') as [string, string, string];
    const key = env.wkeys.sourceHours(source, Number(day));
    // `n` is the day's total: a day whose hash exists is a day the source was reporting.
    tx.hincrby(key, hour, n).hincrby(key, 'n', n).expire(key, ttl);
  }
  await tx.exec();
}

/** The new cases a source reported in given hours of a day, from its hour counts. */
const sourceHours =
  (env: RuleEnv): BaselineRead<Gap> =>
  (tx, gap, day, hours) => {
    // `n` is the day's total: a day whose hash exists is a day the source was reporting.
    tx.hmget(env.wkeys.sourceHours(gap.member, day), 'n', ...hours.map(String));
    return (reply) => {
      const v = (reply as (string | null)[] | null) ?? [];
      return { hasData: v[0] !== null && v[0] !== undefined, counts: hours.map((_, j) => Number(v[1 + j] ?? 0)) };
    };
  };

/** Forgets sources silent for longer than any baseline reaches back: their history has expired. */
async function forgetGone(env: RuleEnv, now: number, cfg: SourceCheckConfig): Promise<void> {
  const gone = await env.redis.zrangebyscore(
    env.wkeys.sourceSeen,
    '-inf',
    now - (cfg.baselineDays + 1) * 86_400_000,
    'LIMIT',
    0,
    1000,
  );
  if (gone.length)
    await env.redis
      .multi()
      .zrem(env.wkeys.sourceSeen, ...gone)
      .hdel(env.wkeys.sourceArea, ...gone)
      .exec();
}

/** The periodic check: a 失联 warning for every busy source quiet since before `now − minGap`. */
export async function checkSources(
  env: RuleEnv,
  now: number,
  cfg: SourceCheckConfig,
  since: number,
): Promise<Warning[]> {
  const sc = cfg.sources;
  await forgetGone(env, now, cfg);
  const gaps = await quietMembers(env, env.wkeys.sourceSeen, {
    now,
    minGapMs: sc.minGapMinutes * 60_000,
    lookbackMs: cfg.lookbackHours * HOUR,
    since,
    limit: sc.maxSources,
  });
  if (!gaps.length) return [];
  const [expected, bindings, areas] = await Promise.all([
    expectedInGaps(env, gaps, cfg.baselineDays, sourceHours(env)),
    sourceBindings(env.redis, ingestKeysHash(env.keys.prefix)),
    env.redis.hmget(env.wkeys.sourceArea, ...gaps.map((g) => g.member)),
  ]);
  const out: Warning[] = [];
  gaps.forEach(({ member: source, last, from }, i) => {
    const { expected: exp, days } = expected[i]!;
    const bound = bindings.get(source);
    const region = bound ?? areas[i];
    if (!region) return;
    const t = env.tuning(region, now);
    const min = sc.minExpected * t.thresholdFactor;
    if (days < cfg.minBaselineDays || exp < min) return;
    const hours = (now - from) / HOUR;
    const perHour = exp / hours;
    const place = env.place(region);
    const where = bound ? `绑定${place}` : `上报范围${place}`;
    const since = from > last ? `自 ${shortTime(from, now)} 系统恢复起` : `自 ${shortTime(last, now)} 最后一次上报后`;
    out.push({
      rule: 'silence',
      level: sc.level,
      region,
      // Its own group: a source's silence is not its region's, and both may hold at once.
      subject: `source:${source}`,
      title: `来源系统失联：${source} ${hours.toFixed(1)} 小时无上报`,
      explanation:
        `来源系统「${source}」（${where}）${since} ${hours.toFixed(1)} 小时没有任何上报，最后一次上报 ${shortTime(last, now)}；` +
        `前 ${days} 日同一时段平均新报案件 ${exp.toFixed(1)} 起（约每小时 ${perHour.toFixed(1)} 起），完全无上报的概率不超过 ${Math.exp(-exp).toExponential(1)}。` +
        `规则：来源系统沉默超过 ${sc.minGapMinutes} 分钟且同时段通常新报案件不少于 ${min.toFixed(0)} 起即视为失联；` +
        `每次失联按一次迟报计入${place}的上报及时率（${TIMELINESS_FORMULA}）。`,
      evidence: [
        {
          id: `source:${source}:${last}`,
          at: isoBeijing(last),
          summary: `来源系统「${source}」最后一次上报 ${shortTime(last, now)}，同时段通常每小时新报 ${perHour.toFixed(1)} 起`,
          region,
        },
      ],
      episode: { id: `s:${source}:${last}`, region },
    });
  });
  return out;
}
