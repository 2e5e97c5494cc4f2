import fs from 'node:fs';
import { z } from 'zod';
import { isRegionCode, isWithin } from '../../shared/regions.ts';
import { WARNING_LEVELS, type WarningLevel } from '../../shared/vocab.ts';
import { ConfigError } from '../config.ts';
import type { Tuning } from './types.ts';
import { RULE_MODULES } from './rules/index.ts';

export const DEFAULT_RULES_FILE = new URL('./rules.default.json', import.meta.url);

const isoWithOffset = z.iso.datetime({ offset: true, local: false });

const sensitivePeriodSchema = z
  .strictObject({
    name: z.string().min(1).max(40),
    start: isoWithOffset,
    end: isoWithOffset,
    /** Subtrees it applies to. */
    regions: z.array(z.string().refine(isRegionCode, 'must be a region code')).min(1),
    thresholdFactor: z.number().gt(0).max(1).default(0.7),
    timeFactor: z.number().gt(0).max(1).default(0.5),
    raiseLevel: z.boolean().default(false),
  })
  .refine((p) => Date.parse(p.end) > Date.parse(p.start), { message: 'must end after it starts', path: ['end'] });

const ruleShapes = Object.fromEntries(RULE_MODULES.map((m) => [m.id, m.schema])) as {
  [K in (typeof RULE_MODULES)[number] as K['id']]: K['schema'];
};

const minutes = z
  .number()
  .positive()
  .max(7 * 24 * 60);

const limit = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);

/** 上报及时率 (server/assessment/report-timeliness.ts): when a report counts as on time. */
export const timelinessSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** A report is on time when received at most this many minutes after it occurred, per kind. */
  limitMinutes: z.strictObject({ incident: limit, dispute: limit }).default({ incident: 30, dispute: 1440 }),
});
export type TimelinessConfig = z.infer<typeof timelinessSchema>;
export const DEFAULT_TIMELINESS: TimelinessConfig = { enabled: true, limitMinutes: { incident: 30, dispute: 1440 } };

export const rulesFileSchema = z.strictObject({
  /** Minutes a desk has to sign an alert of each level before it escalates by itself. */
  signMinutes: z
    .strictObject({ red: minutes, orange: minutes, yellow: minutes, blue: minutes })
    .default({ red: 5, orange: 15, yellow: 60, blue: 240 }),
  /** Minutes a dispatched department has to report in (报到), by the alert's level; late ones are flagged. */
  reportMinutes: z
    .strictObject({ red: minutes, orange: minutes, yellow: minutes, blue: minutes })
    .default({ red: 30, orange: 120, yellow: 480, blue: 1440 }),
  /**
   * Minutes from an alert's creation to 办结 (resolved), by its level: the handling time 办结及时率
   * judges it by (server/assessment/alert-figures.ts).
   */
  resolveMinutes: z
    .strictObject({ red: minutes, orange: minutes, yellow: minutes, blue: minutes })
    .default({ red: 1440, orange: 2880, yellow: 4320, blue: 10080 }),
  rules: z.strictObject(ruleShapes),
  /** 重大活动、敏感节点: named periods that tighten thresholds and time limits for chosen regions. */
  sensitivePeriods: z.array(sensitivePeriodSchema).default([]),
  /** 上报及时率: when a report is on time (server/assessment/report-timeliness.ts). */
  timeliness: timelinessSchema.default(DEFAULT_TIMELINESS),
});

export type WarningsConfig = z.infer<typeof rulesFileSchema>;
export type SensitivePeriod = WarningsConfig['sensitivePeriods'][number];

export class RulesConfigError extends ConfigError {
  override name = 'RulesConfigError';
}

/** `rule spike, field windows.0.minCount: Too small…` — the rule and the field, for whoever edits the file. */
function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  if (path[0] === 'rules' && path.length >= 2)
    return `rule ${path[1]}, field ${path.slice(2).join('.') || '(rule)'}: ${issue.message}`;
  if (path[0] === 'timeliness' && path.length >= 2)
    return `timeliness (上报及时率), field ${path.slice(1).join('.')}: ${issue.message}`;
  if (path[0] === 'sensitivePeriods' && path.length >= 2)
    return `sensitive period #${Number(path[1]) + 1}, field ${path.slice(2).join('.') || '(period)'}: ${issue.message}`;
  return `field ${path.join('.') || '(file)'}: ${issue.message}`;
}

/** Validates a parsed rules file; throws a RulesConfigError naming every bad rule and field. */
export function parseRulesConfig(raw: unknown, source = 'rules file'): WarningsConfig {
  const r = rulesFileSchema.safeParse(raw);
  if (!r.success) throw new RulesConfigError(`invalid ${source}:\n  ${r.error.issues.map(describe).join('\n  ')}`);
  return r.data;
}

/** Reads the rules file (RULES_FILE, or the default next to this module) and validates it. */
export function loadRulesConfig(file: string | URL = process.env.RULES_FILE || DEFAULT_RULES_FILE): WarningsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RulesConfigError(`rules file ${String(file)} is not readable JSON: ${(err as Error).message}`);
  }
  return parseRulesConfig(raw, `rules file ${String(file)}`);
}

const NO_TUNING: Tuning = { thresholdFactor: 1, timeFactor: 1, raiseLevel: false, periods: [] };

/** The sensitive periods active for a region at an instant, combined (the strictest factor wins). */
export function tuningFor(cfg: Pick<WarningsConfig, 'sensitivePeriods'>, region: string, now: number): Tuning {
  const active = cfg.sensitivePeriods.filter(
    (p) => Date.parse(p.start) <= now && now < Date.parse(p.end) && p.regions.some((r) => isWithin(region, r)),
  );
  if (!active.length) return NO_TUNING;
  return {
    thresholdFactor: Math.min(...active.map((p) => p.thresholdFactor)),
    timeFactor: Math.min(...active.map((p) => p.timeFactor)),
    raiseLevel: active.some((p) => p.raiseLevel),
    periods: active.map((p) => p.name),
  };
}

/** Time to sign an alert of `level` in `region` at `now`, in ms. */
export function signLimitMs(cfg: WarningsConfig, level: WarningLevel, region: string, now: number): number {
  return cfg.signMinutes[level] * 60_000 * tuningFor(cfg, region, now).timeFactor;
}

/** Time a dispatched department has to report in for an alert of `level`, in ms. */
export function reportLimitMs(cfg: Pick<WarningsConfig, 'reportMinutes'>, level: WarningLevel): number {
  return cfg.reportMinutes[level] * 60_000;
}

/** Time from an alert's creation to 办结 for an alert of `level`, in ms (办结及时率). */
export function resolveLimitMs(cfg: Pick<WarningsConfig, 'resolveMinutes'>, level: WarningLevel): number {
  return cfg.resolveMinutes[level] * 60_000;
}

/** One level more severe (red stays red). */
export function raised(level: WarningLevel): WarningLevel {
  return WARNING_LEVELS[Math.max(0, WARNING_LEVELS.indexOf(level) - 1)]!;
}
