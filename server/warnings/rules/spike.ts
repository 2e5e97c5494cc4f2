import { z } from 'zod';
import { LEVELS, levelLength, levelOf } from '../../../shared/regions.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../../shared/vocab.ts';
import { buckets, dayStart, isoBeijing } from '../../time/beijing.ts';
import { poissonTail, trimmedMean } from '../stats.ts';
import { scaled, type RuleEnv, type RuleModule, type Warning } from '../types.ts';
import { queueDayRead } from '../../counters/read.ts';
import { INCIDENTS, slotField } from '../../counters/fields.ts';

const windowSchema = z.strictObject({
  minutes: z.number().int().min(5).max(180).multipleOf(5),
  /** No spike below this many incidents in the window, whatever the baseline. */
  minCount: z.number().int().min(1),
  /** …nor below this multiple of the baseline. */
  minRatio: z.number().min(1),
  /** Poisson tail probability below which each level fires. */
  pValue: z
    .partialRecord(z.enum(WARNING_LEVELS), z.number().gt(0).lt(1))
    .refine((p) => Object.keys(p).length > 0, 'needs at least one level'),
});

export const spikeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Levels of the tree watched for spikes. */
  // A province's own levels: a spike is measured per event, and nothing per event reaches the nation.
  levels: z
    .array(z.enum(LEVELS).exclude(['nation']))
    .min(1)
    .default(['county']),
  windows: z.array(windowSchema).min(1),
  /** Same hour of the week, this many weeks back (day hashes live 50 days). */
  baselineWeeks: z.number().int().min(1).max(7).default(7),
  minBaselineWeeks: z.number().int().min(1).default(3),
  /** A young deployment without weeks of history compares with the same hours of the last days. */
  fallbackDays: z.number().int().min(1).max(14).default(7),
  minFallbackDays: z.number().int().min(1).default(2),
  /** Floor of the expected count, so a region that is usually silent needs more than one incident. */
  minExpected: z.number().positive().default(0.5),
});
export type SpikeConfig = z.infer<typeof spikeSchema>;

/**
 * The (day, slot) pairs of the five-minute slots that cover [now − minutes, now]: the current,
 * partly filled slot and the whole ones before it back to the window's start. The baseline reads
 * the very same slots of other days, so a partial slot biases nothing.
 */
function windowSlots(now: number, minutes: number): { dayOffset: number; slot: number }[] {
  const b = buckets(now);
  const first = Math.floor((now - minutes * 60_000 - dayStart(b.day)) / 300_000);
  const out = [];
  for (let s = first; s <= b.slot; s++) out.push(s >= 0 ? { dayOffset: 0, slot: s } : { dayOffset: -1, slot: s + 288 });
  return out;
}

interface Measure {
  minutes: number;
  observed: number;
  expected: number;
  samples: number;
  basis: 'week' | 'day';
  p: number;
  level?: WarningLevel;
}

interface DayCounts {
  hasData: boolean;
  counts: number[];
}

/** Baseline days per rules engine (its env) and region, for the window's current slots. */
const baselines = new WeakMap<RuleEnv, Map<string, { key: string; perDay: DayCounts[] }>>();

/** Observed and baseline counts of every window for each region, in one pipeline. */
async function measure(
  env: RuleEnv,
  regions: string[],
  cfg: SpikeConfig,
  now: number,
): Promise<Map<string, Measure[]>> {
  const today = buckets(now).day;
  const slots = windowSlots(now, Math.max(...cfg.windows.map((w) => w.minutes)));
  const fields = slots.map((s) => slotField(s.slot, INCIDENTS));
  // Per region: reference days (0 = today), each read as the window's slots plus the day's totals.
  const refDays = [
    0,
    ...Array.from({ length: cfg.baselineWeeks }, (_, i) => -7 * (i + 1)),
    ...Array.from({ length: cfg.fallbackDays }, (_, i) => -(i + 1)),
  ];
  const crosses = slots.some((s) => s.dayOffset === -1);
  // Past days do not change while the window stays on the same slots: a region's baseline is read
  // once per five minutes, not once per batch (it was ~2,000 reads a batch for 88 counties).
  const key = `${today}:${slots.map((s) => `${s.dayOffset}.${s.slot}`).join(',')}`;
  let cache = baselines.get(env);
  if (!cache) baselines.set(env, (cache = new Map()));
  const tx = env.redis.multi();
  const decoders: ((reply: unknown) => (string | null)[])[] = [];
  const plans = regions.map((r) => {
    const cached = cache.get(r);
    const days = cached?.key === key ? [0] : refDays;
    for (const d of days) {
      decoders.push(
        queueDayRead(
          tx,
          env.keys,
          r,
          today + d,
          fields.filter((_, i) => slots[i]!.dayOffset === 0),
        ),
      );
      if (crosses)
        decoders.push(
          queueDayRead(
            tx,
            env.keys,
            r,
            today + d - 1,
            fields.filter((_, i) => slots[i]!.dayOffset === -1),
          ),
        );
    }
    return { r, days, cached: cached?.key === key ? cached.perDay : undefined };
  });
  const replies = ((await tx.exec()) ?? []).map(([, v], i) => decoders[i]!(v));
  const out = new Map<string, Measure[]>();
  let at = 0;
  for (const { r, days, cached } of plans) {
    // Per reference day: the window's slot counts, and whether that day has any case at all (a day
    // without a hash is a day the system did not run, not a day of zero incidents).
    const read = days.map(() => {
      const cur = replies[at++]!;
      const prev = crosses ? replies[at++]!.slice(2) : [];
      const hasData = cur[0] !== null || cur[1] !== null;
      const curSlots = cur.slice(2).map(Number);
      const prevSlots = prev.map(Number);
      let ci = 0;
      let pi = 0;
      const counts = slots.map((s) => (s.dayOffset === 0 ? (curSlots[ci++] ?? 0) : (prevSlots[pi++] ?? 0)));
      return { hasData, counts };
    });
    const perDay = cached ? [read[0]!, ...cached] : read;
    if (!cached) cache.set(r, { key, perDay: perDay.slice(1) });
    const measures: Measure[] = [];
    for (const w of cfg.windows) {
      const n = windowSlots(now, w.minutes).length;
      const sum = (counts: number[]) => counts.slice(-n).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0);
      const observed = sum(perDay[0]!.counts);
      const weeks = perDay.slice(1, 1 + cfg.baselineWeeks).filter((d) => d.hasData);
      const days = perDay.slice(1 + cfg.baselineWeeks).filter((d) => d.hasData);
      let basis: 'week' | 'day';
      let samples: number[];
      if (weeks.length >= cfg.minBaselineWeeks) [basis, samples] = ['week', weeks.map((d) => sum(d.counts))];
      else if (days.length >= cfg.minFallbackDays) [basis, samples] = ['day', days.map((d) => sum(d.counts))];
      else continue;
      const expected = Math.max(cfg.minExpected, trimmedMean(samples));
      measures.push({
        minutes: w.minutes,
        observed,
        expected,
        samples: samples.length,
        basis,
        p: poissonTail(observed, expected),
      });
    }
    out.set(r, measures);
  }
  return out;
}

function judge(m: Measure, cfg: SpikeConfig, env: RuleEnv, region: string, now: number): WarningLevel | undefined {
  const w = cfg.windows.find((x) => x.minutes === m.minutes)!;
  const t = env.tuning(region, now);
  if (m.observed < scaled(w.minCount, t) || m.observed < Math.max(1, w.minRatio * t.thresholdFactor) * m.expected)
    return undefined;
  for (const l of WARNING_LEVELS) {
    const p = w.pValue[l];
    if (p !== undefined && m.p < p) return l;
  }
  return undefined;
}

const fmt = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
const fmtP = (p: number) => (p < 1e-12 ? '<1e-12' : p.toExponential(1));

/**
 * 突增: a region's new incidents in the last 15 minutes (or hour) against its own baseline for the
 * same slots of the same weekday over past weeks, judged by the Poisson tail. The morning rise is
 * in the baseline, so it does not fire; a burst far above it does.
 */
export const spike: RuleModule<SpikeConfig> = {
  id: 'spike',
  schema: spikeSchema,
  forget(env) {
    baselines.delete(env);
  },
  async onEvents(env, applied, cfg) {
    const now = env.clock.now();
    const regions = new Set<string>();
    const lengths = cfg.levels.map(levelLength);
    for (const { event: e, code } of applied) {
      if (e.kind !== 'incident' || code === 'C') continue;
      for (const len of lengths) if (e.region.length >= len) regions.add(e.region.slice(0, len));
    }
    if (!regions.size) return [];
    const measured = await measure(env, [...regions], cfg, now);
    const slot = buckets(now).slot;
    const out: Warning[] = [];
    for (const [region, ms] of measured) {
      const fired = ms.map((m) => ({ m, level: judge(m, cfg, env, region, now) })).filter((x) => x.level);
      if (!fired.length) continue;
      const level = fired
        .map((f) => f.level!)
        .sort((a, b) => WARNING_LEVELS.indexOf(a) - WARNING_LEVELS.indexOf(b))[0]!;
      const lines = fired.map(({ m }) => {
        const basis = m.basis === 'week' ? `前 ${m.samples} 周同一时段` : `前 ${m.samples} 日同一时段`;
        return `近 ${m.minutes} 分钟新增警情 ${m.observed} 起，${basis}平均 ${fmt(m.expected)} 起（${fmt(m.observed / m.expected)} 倍，泊松尾概率 ${fmtP(m.p)}）`;
      });
      const top = fired[0]!.m;
      const start = now - top.minutes * 60_000;
      out.push({
        rule: 'spike',
        level,
        region,
        desk: region,
        subject: '',
        title: `警情突增：近 ${top.minutes} 分钟 ${top.observed} 起`,
        explanation: `${env.place(region)}${lines.join('；')}。规则：数量不少于阈值且为基线的数倍，并且在基线下出现的概率低于阈值（${levelOf(region) === 'county' ? '县区' : '区域'}自身同时段基线，正常的早高峰已含在基线内）。`,
        evidence: fired.map(({ m }) => ({
          // One piece of evidence per region, window and five-minute slot: a spike that lasts adds to the count.
          id: `${region}:${dayStart(buckets(now).day)}:${slot}:${m.minutes}`,
          at: isoBeijing(now),
          summary: `${isoBeijing(start).slice(11, 16)}–${isoBeijing(now).slice(11, 16)} 新增警情 ${m.observed} 起，基线 ${fmt(m.expected)} 起`,
          region,
        })),
      });
    }
    return out;
  },
};
