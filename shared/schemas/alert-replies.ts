import { z } from 'zod';
import { ALERT_ACTIONS, SYSTEM_STEPS } from '../alert-machine.ts';
import { WARNING_LEVELS } from '../vocab.ts';
import { ALERT_STATES, alertViewSchema } from './alert.ts';
import { isoTime } from './common.ts';

/** Replies of the alert routes (`/api/v1/alerts…`, `/api/v1/silences…`). */

/** One line of an alert's append-only record (全程留痕). */
export const alertHistoryEntrySchema = z.object({
  /** 1-based position in the record. */
  seq: z.number().int().positive(),
  /** ISO 8601 +08:00. */
  at: isoTime,
  /** Username, or `system` for what the rules and the escalation timer did. */
  by: z.string(),
  action: z.enum([...ALERT_ACTIONS, ...SYSTEM_STEPS]),
  from: z.enum(ALERT_STATES).optional(),
  to: z.enum(ALERT_STATES).optional(),
  note: z.string().optional(),
  /** dispatch: the departments named; checkin: the one reporting; resolve: those that had not. */
  departments: z.array(z.string()).optional(),
  /** resolve: why it was resolved although `departments` had not checked in. */
  override: z.string().optional(),
  /** checkin, feedback: recorded by a desk for the department, with the reason. */
  onBehalf: z.boolean().optional(),
  reason: z.string().optional(),
  /** feedback: what was done and the result; assist: the request. */
  text: z.string().optional(),
  result: z.enum(['handled', 'partly', 'unable']).optional(),
  /** supervise: the deadline (ISO 8601 +08:00) and 督办要求; late: the missed report-in deadline. */
  deadline: isoTime.optional(),
  requirement: z.string().optional(),
  /** escalate: the desk it moved to. */
  desk: z.string().optional(),
  /** raise: the level a more severe warning raised the alert to, and the level before. */
  level: z.enum(WARNING_LEVELS).optional(),
  fromLevel: z.enum(WARNING_LEVELS).optional(),
});
export type AlertHistoryEntry = z.infer<typeof alertHistoryEntrySchema>;

/** One piece of evidence behind an alert: an event, or a measured window (spike, silence). */
export const alertEvidenceSchema = z.object({
  id: z.string(),
  /** ISO 8601 +08:00. */
  at: isoTime,
  summary: z.string(),
  caseId: z.string().optional(),
  region: z.string().optional(),
  category: z.string().optional(),
  status: z.string().optional(),
  severity: z.number().optional(),
  riskMarkers: z.array(z.string()).optional(),
});
export type AlertEvidence = z.infer<typeof alertEvidenceSchema>;

/** `GET /api/v1/alerts/:id`. */
export const alertDetailSchema = z.object({
  alert: alertViewSchema,
  /** Readable Chinese explanation of the latest warning: which events, threshold and baseline. */
  explanation: z.string(),
  history: z.array(alertHistoryEntrySchema),
  /** Newest last, capped (the count on the alert is the full number). */
  events: z.array(alertEvidenceSchema),
});
export type AlertDetail = z.infer<typeof alertDetailSchema>;

/** A rule silenced for a region's subtree until `until`. */
export const silenceViewSchema = z.object({
  rule: z.string(),
  region: z.string(),
  reason: z.string(),
  by: z.string(),
  /** ISO 8601 +08:00. */
  until: isoTime,
});
export type SilenceView = z.infer<typeof silenceViewSchema>;

/** `GET /api/v1/alerts`. */
export const alertListReplySchema = z.object({ alerts: z.array(alertViewSchema) });
/** `POST /api/v1/alerts/:id/<action>`: the alert after the step. */
export const alertActionReplySchema = z.object({ alert: alertViewSchema });
/** `GET /api/v1/silences`. */
export const silenceListReplySchema = z.object({ silences: z.array(silenceViewSchema) });
/** `POST /api/v1/silences` → 201. */
export const silenceReplySchema = z.object({ silence: silenceViewSchema });
