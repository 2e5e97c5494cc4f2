import type { AlertState, AlertView } from './schemas/alert.ts';
import type { WarningLevel } from './vocab.ts';

/**
 * The alert state machine (DESIGN.md "Alerts"), shared so the console enables exactly the buttons
 * the server will accept. The server enforces it atomically in Redis; this table is its input.
 */
export const ALERT_ACTIONS = [
  'ack',
  'dispatch',
  'checkin',
  'resolve',
  'close',
  'escalate',
  'note',
  'supervise',
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const ALERT_ACTION_LABELS: Record<AlertAction | 'create' | 'raise', string> = {
  create: '生成预警',
  raise: '预警升级',
  ack: '签收',
  dispatch: '分派',
  checkin: '部门报到',
  resolve: '办结',
  close: '核验',
  escalate: '升级',
  note: '备注',
  supervise: '督办',
};

/** States in which an alert still needs work and counts on the wall. */
export const OPEN_ALERT_STATES: readonly AlertState[] = ['new', 'acknowledged', 'dispatched', 'escalated'];

export interface Transition {
  /** States the action is allowed from. */
  from: readonly AlertState[];
  /** The state after the action; undefined when the action leaves the state as it is. */
  to?: AlertState;
}

/**
 * new → acknowledged → dispatched → resolved → closed; any open state → escalated (to the parent
 * desk, which must sign again). An officer may resolve what needed no department (acknowledged →
 * resolved), and may dispatch again to add departments. Notes are allowed in every state: the
 * record of an alert may grow after it is closed, it is never rewritten.
 */
export const TRANSITIONS: Record<AlertAction, Transition> = {
  ack: { from: ['new', 'escalated'], to: 'acknowledged' },
  dispatch: { from: ['acknowledged', 'dispatched'], to: 'dispatched' },
  checkin: { from: ['dispatched'] },
  resolve: { from: ['acknowledged', 'dispatched'], to: 'resolved' },
  close: { from: ['resolved'], to: 'closed' },
  escalate: { from: OPEN_ALERT_STATES, to: 'escalated' },
  note: { from: ['new', 'acknowledged', 'dispatched', 'resolved', 'closed', 'escalated'] },
  supervise: { from: OPEN_ALERT_STATES },
};

export function canDo(action: AlertAction, state: AlertState): boolean {
  return TRANSITIONS[action].from.includes(state);
}

/** One line of an alert's append-only record (全程留痕). */
export interface AlertHistoryEntry {
  /** 1-based position in the record. */
  seq: number;
  /** ISO 8601 +08:00. */
  at: string;
  /** Username, or `system` for what the rules and the escalation timer did. */
  by: string;
  action: AlertAction | 'create' | 'raise';
  from?: AlertState;
  to?: AlertState;
  note?: string;
  /** dispatch: the departments named; checkin: the one reporting; resolve: those that had not. */
  departments?: string[];
  /** resolve: why it was resolved although `departments` had not checked in. */
  override?: string;
  /** escalate: the desk it moved to. */
  desk?: string;
  /** raise: the level a more severe warning raised the alert to, and the level before. */
  level?: WarningLevel;
  fromLevel?: WarningLevel;
}

/** One piece of evidence behind an alert: an event, or a measured window (spike, silence). */
export interface AlertEvidence {
  id: string;
  /** ISO 8601 +08:00. */
  at: string;
  summary: string;
  caseId?: string;
  region?: string;
  category?: string;
  status?: string;
  severity?: number;
  riskMarkers?: string[];
}

/** What `GET /api/v1/alerts/:id` answers. */
export interface AlertDetail {
  alert: AlertView;
  /** Readable Chinese explanation of the latest warning: which events, threshold and baseline. */
  explanation: string;
  history: AlertHistoryEntry[];
  /** Newest last, capped (the count on the alert is the full number). */
  events: AlertEvidence[];
}

/** A rule silenced for a region's subtree until `until`. */
export interface SilenceView {
  rule: string;
  region: string;
  reason: string;
  by: string;
  /** ISO 8601 +08:00. */
  until: string;
}
