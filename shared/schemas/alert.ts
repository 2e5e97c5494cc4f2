import { z } from 'zod';
import { WARNING_LEVELS } from '../vocab.ts';
import { count, isoTime } from './common.ts';

export const ALERT_STATES = ['new', 'acknowledged', 'dispatched', 'resolved', 'closed', 'escalated'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const ALERT_STATE_LABELS: Record<AlertState, string> = {
  new: '新预警',
  acknowledged: '已签收',
  dispatched: '已分派',
  resolved: '已办结',
  closed: '已核验',
  escalated: '已升级',
};

export const RULES = ['homicide_risk', 'spike', 'overdue', 'repeat', 'cluster', 'silence'] as const;
export type RuleId = (typeof RULES)[number];
export const RULE_LABELS: Record<RuleId, string> = {
  homicide_risk: '命案风险',
  spike: '警情突增',
  overdue: '超期未办',
  repeat: '重复信访',
  cluster: '警情聚集',
  silence: '上报失联',
};

/** One department an alert was dispatched to; `checkedInAt` absent until it reports (报到). */
export const departmentViewSchema = z.object({
  name: z.string(),
  /** The registry id (`dep-…`); absent for an ad-hoc department. */
  id: z.string().optional(),
  /** Named at dispatch as free text, not in the registry: reached by phone, the desk records for it. */
  adhoc: z.boolean().optional(),
  dispatchedAt: isoTime,
  dispatchedBy: z.string(),
  /** Report-in deadline (by the alert's level, rules file `reportMinutes`). */
  reportBy: isoTime.optional(),
  /** When the sweep found it had not reported by `reportBy` (待报到 · 超时); stays after a late report. */
  lateAt: isoTime.optional(),
  checkedInAt: isoTime.optional(),
  checkedInBy: z.string().optional(),
  /** A desk recorded the report-in for it (by phone), and why. */
  checkinOnBehalf: z.object({ reason: z.string().optional() }).optional(),
  /** 反馈: what was done and how it ended; a feedback implies the report-in. */
  feedback: z
    .object({
      text: z.string(),
      result: z.enum(['handled', 'partly', 'unable']),
      at: isoTime,
      by: z.string(),
      onBehalf: z.object({ reason: z.string().optional() }).optional(),
    })
    .optional(),
  /** 请求协办: the latest request for help (every one is in the history). */
  assist: z.object({ text: z.string(), at: isoTime, by: z.string() }).optional(),
});
export type DepartmentView = z.infer<typeof departmentViewSchema>;

/** An alert as screens see it (the duty console fetches the full history separately). */
export const alertViewSchema = z.object({
  id: z.string(),
  level: z.enum(WARNING_LEVELS),
  rule: z.enum(RULES),
  region: z.string(),
  state: z.enum(ALERT_STATES),
  title: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
  count,
  /** The region whose duty desk owns it now (the parent's after an escalation). */
  desk: z.string(),
  supervised: z.boolean().optional(),
  /** 挂牌督办: who listed it, from which level, with what deadline and requirement. */
  supervision: z
    .object({
      /** The supervising level's region (strictly above `desk`); only it verifies (核验) the alert. */
      by: z.string(),
      region: z.string(),
      at: isoTime,
      deadline: isoTime.optional(),
      requirement: z.string().optional(),
      /** Past the deadline and not resolved: first in the supervisor's own queue. */
      overdue: z.boolean(),
    })
    .optional(),
  actor: z.string().optional(),
  /** The dispute or incident the alert is about, when it is about one case. */
  caseId: z.string().optional(),
  /** Who signed (签收) it at its current desk, and when (ISO 8601 +08:00). */
  signedBy: z.string().optional(),
  signedAt: isoTime.optional(),
  /** When it escalates by itself unless signed (ISO 8601 +08:00); absent once signed. */
  signBy: isoTime.optional(),
  /** Departments it was dispatched to (中心吹哨), each with its own check-in (部门报到). */
  departments: z.array(departmentViewSchema).optional(),
});
export type AlertView = z.infer<typeof alertViewSchema>;
