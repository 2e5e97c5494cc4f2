import { z } from 'zod';
import { parentOf } from '../../../shared/regions.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../../shared/vocab.ts';
import { isoBeijing } from '../../time/beijing.ts';
import type { Keys } from '../../redis/keys.ts';
import { shortTime } from '../evidence.ts';
import type { RuleEnv, RuleModule, Warning } from '../types.ts';
import { queueDayRead } from '../../counters/read.ts';
import { DISPUTES, hourField, INCIDENTS } from '../../counters/fields.ts';
import { TIMELINESS_FORMULA } from '../../../shared/schemas/timeliness.ts';
import { countingSince, expectedInGaps, HOUR, quietMembers, type BaselineRead, type Gap } from './gaps.ts';
import { checkSources, DEFAULT_SOURCE_SILENCE, sourceSilenceSchema, trackSources } from './source-silence.ts';

export const silenceSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Level of the warning for a silent county and a silent township. */
  levels: z
    .strictObject({ county: z.enum(WARNING_LEVELS).optional(), township: z.enum(WARNING_LEVELS).optional() })
    .default({ county: 'yellow', township: 'blue' }),
  /** Gaps shorter than this are never silence, whatever the baseline says. */
  minGapMinutes: z.number().int().min(10).default(120),
  /**
   * Cases the region usually reports in a gap this long (mean of the same hours of the last days)
   * before the gap counts as silence: P(no report | Poisson(8)) ≈ 0.03 %.
   */
  minExpected: z.number().positive().default(8),
  baselineDays: z.number().int().min(1).max(14).default(7),
  minBaselineDays: z.number().int().min(1).default(3),
  /** The gap examined is capped here: older history says nothing new about the silence. */
  lookbackHours: z.number().int().min(1).max(72).default(24),
  checkEveryMinutes: z.number().int().min(1).default(5),
  /**
   * A province-wide quiet this long is the system (or its feed) being down, not a region falling
   * silent: gaps are then counted from when events came back, so a restart raises no flood.
   */
  systemGapMinutes: z.number().int().min(1).default(15),
  maxCandidates: z.number().int().min(1).default(2000),
  /** Source systems (来源系统) that fall silent: rules/source-silence.ts. */
  sources: sourceSilenceSchema.default(DEFAULT_SOURCE_SILENCE),
});
export type SilenceConfig = z.infer<typeof silenceSchema>;

const LEVEL_BY_LENGTH: Record<number, 'county' | 'township'> = { 6: 'county', 9: 'township' };

/** A region's new cases in given hours of a day (incidents and disputes), from its day counts. */
const regionHours =
  (keys: Keys): BaselineRead<Gap> =>
  (tx, gap, day, hours) => {
    const decode = queueDayRead(
      tx,
      keys,
      gap.member,
      day,
      hours.flatMap((h) => [hourField(h, INCIDENTS), hourField(h, DISPUTES)]),
    );
    return (reply) => {
      const v = decode(reply);
      return {
        hasData: v[0] !== null || v[1] !== null,
        counts: hours.map((_, j) => Number(v[2 + j * 2] ?? 0) + Number(v[3 + j * 2] ?? 0)),
      };
    };
  };

/**
 * 失联: a county or township (or a source system, rules/source-silence.ts) that has reported
 * nothing for longer than its own history makes plausible. Every applied event marks its county,
 * township and source as heard from; a periodic check asks, for each one quiet for a while, how
 * many cases (reports, for a source) its same hours usually bring. Each episode counts once
 * against the region's 上报及时率 (server/assessment/report-timeliness.ts).
 */
export const silence: RuleModule<SilenceConfig> = {
  id: 'silence',
  schema: silenceSchema,
  async onEvents(env, applied, cfg) {
    const now = env.clock.now();
    const codes = new Set<string>();
    for (const { event: e } of applied) {
      codes.add(e.region.slice(0, 2));
      if (e.region.length >= 6) codes.add(e.region.slice(0, 6));
      if (e.region.length >= 9) codes.add(e.region.slice(0, 9));
    }
    if (!codes.size) return [];
    const root = [...codes][0]!.slice(0, 2);
    const before = await env.redis.zscore(env.wkeys.lastSeen, root);
    if (before !== null && now - Number(before) > cfg.systemGapMinutes * 60_000)
      await env.redis.set(env.wkeys.resumedAt, now);
    const args: (string | number)[] = [];
    for (const c of codes) args.push(now, c);
    await env.redis.zadd(env.wkeys.lastSeen, 'GT', ...args);
    if (cfg.sources.enabled) await trackSources(env, applied, cfg, now);
    return [];
  },
  tickEveryMs: (cfg) => cfg.checkEveryMinutes * 60_000,
  async onTick(env, now, cfg) {
    const since = await countingSince(env, now, cfg.systemGapMinutes * 60_000);
    if (since === undefined) return [];
    const out = await regionWarnings(env, now, cfg, since);
    if (cfg.sources.enabled) out.push(...(await checkSources(env, now, cfg, since)));
    return out;
  },
};

/** Counties and townships quiet since before `now − minGap` whose same hours usually bring cases. */
async function regionWarnings(env: RuleEnv, now: number, cfg: SilenceConfig, since: number): Promise<Warning[]> {
  const gaps = (
    await quietMembers(env, env.wkeys.lastSeen, {
      now,
      minGapMs: cfg.minGapMinutes * 60_000,
      lookbackMs: cfg.lookbackHours * HOUR,
      since,
      limit: cfg.maxCandidates,
    })
  ).filter((g) => {
    const level = LEVEL_BY_LENGTH[g.member.length];
    return level !== undefined && cfg.levels[level] !== undefined;
  });
  if (!gaps.length) return [];
  const expected = await expectedInGaps(env, gaps, cfg.baselineDays, regionHours(env.keys));
  const out: Warning[] = [];
  gaps.forEach(({ member: code, last, from }, i) => {
    const { expected: exp, days } = expected[i]!;
    const t = env.tuning(code, now);
    const min = cfg.minExpected * t.thresholdFactor;
    if (days < cfg.minBaselineDays || exp < min) return;
    const level: WarningLevel = cfg.levels[LEVEL_BY_LENGTH[code.length]!]!;
    const hours = ((now - from) / HOUR).toFixed(1);
    out.push({
      rule: 'silence',
      level,
      region: code,
      // A silent desk cannot answer for itself: the level above checks on it.
      desk: parentOf(code) ?? code,
      subject: '',
      title: `上报失联：${hours} 小时无上报`,
      explanation:
        `${env.place(code)}自 ${shortTime(from, now)} 起 ${hours} 小时没有任何上报；前 ${days} 日同一时段平均上报 ${exp.toFixed(1)} 起，` +
        `完全无上报的概率约 ${Math.exp(-exp).toExponential(1)}。规则：沉默超过 ${cfg.minGapMinutes} 分钟且同时段通常上报不少于 ${min.toFixed(0)} 起即视为失联；` +
        `每次失联按一次迟报计入上报及时率（${TIMELINESS_FORMULA}）。`,
      evidence: [
        {
          id: `${code}:${last}`,
          at: isoBeijing(last),
          summary: `最后一次上报 ${shortTime(last, now)}，同时段通常 ${exp.toFixed(1)} 起`,
          region: code,
        },
      ],
      episode: { id: `r:${code}:${last}`, region: code },
    });
  });
  return out;
}
