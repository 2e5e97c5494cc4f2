import type { AlertState } from './schemas/alert.ts';

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
  'feedback',
  'assist',
] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** History-only steps the system takes: `late` is the report-in sweep (报到超时). */
export const SYSTEM_STEPS = ['create', 'raise', 'late'] as const;

export const ALERT_ACTION_LABELS: Record<AlertAction | (typeof SYSTEM_STEPS)[number], string> = {
  create: '生成预警',
  late: '报到超时',
  feedback: '部门反馈',
  assist: '请求协办',
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
  feedback: { from: ['dispatched'] },
  assist: { from: ['dispatched'] },
};

/** Actions a department account may take on a task of its own (the desk may record the first two for it). */
export const TASK_ACTIONS: readonly AlertAction[] = ['checkin', 'feedback', 'assist'];

export function canDo(action: AlertAction, state: AlertState): boolean {
  return TRANSITIONS[action].from.includes(state);
}

/** Replies of the alert routes: their schemas live in shared/schemas/alert-replies.ts. */
export type { AlertDetail, AlertEvidence, AlertHistoryEntry, SilenceView } from './schemas/alert-replies.ts';
