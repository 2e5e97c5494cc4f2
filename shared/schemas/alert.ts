import type { WarningLevel } from '../vocab.ts';

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

/** An alert as screens see it (the duty console fetches the full history separately). */
export interface AlertView {
  id: string;
  level: WarningLevel;
  rule: RuleId;
  region: string;
  state: AlertState;
  title: string;
  createdAt: string;
  updatedAt: string;
  count: number;
  /** The region whose duty desk owns it now (the parent's after an escalation). */
  desk: string;
  supervised?: boolean;
  actor?: string;
}
