import { z } from 'zod';
import { ALERT_STATES, RULES } from './alert.ts';
import { isRegionCode } from '../regions.ts';
import { assistBody, checkinBody, feedbackBody } from './department.ts';

/** Request bodies of the alert routes (`POST /api/v1/alerts/:id/<action>`), one schema each. */

const note = z.string().trim().min(1, 'must not be empty').max(500);
const department = z.string().trim().min(1, 'must not be empty').max(40);

export const noteOptional = z.strictObject({ note: note.optional() });
export const noteRequired = z.strictObject({ note });

export const dispatchBody = z.strictObject({
  /** 中心吹哨: one or several named departments, each with its own check-in. */
  departments: z
    .array(department)
    .min(1, 'name at least one department')
    .max(10)
    .refine((d) => new Set(d).size === d.length, 'departments must differ'),
  note: note.optional(),
});
export { checkinBody, feedbackBody, assistBody };

/**
 * 挂牌督办 by a level strictly above the alert's desk: `{note?}` as before, with an optional
 * deadline (ISO 8601 with offset, in the future) and requirement (督办要求).
 */
export const superviseBody = z.strictObject({
  note: note.optional(),
  deadline: z.iso.datetime({ offset: true, local: false, message: 'must be an ISO 8601 time with offset' }).optional(),
  requirement: z.string().trim().min(1, 'must not be empty').max(500).optional(),
});
export const resolveBody = z.strictObject({
  note,
  /**
   * 办结 while dispatched departments have not checked in is refused (409, naming them) unless the
   * officer gives the reason here; the history keeps it with the names.
   */
  override: z.string().trim().min(1, 'must not be empty').max(200).optional(),
});

export const ACTION_BODIES = {
  ack: noteOptional,
  dispatch: dispatchBody,
  checkin: checkinBody,
  resolve: resolveBody,
  close: noteOptional,
  escalate: noteRequired,
  note: noteRequired,
  supervise: superviseBody,
  feedback: feedbackBody,
  assist: assistBody,
} as const;

/** A Beijing calendar day, `YYYY-MM-DD`. */
const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a day YYYY-MM-DD');

export const listQuery = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
  /** Only alerts whose desk is this region (the desk's own queue). */
  desk: z.string().refine(isRegionCode, 'must be a region code').optional(),
  /** `open` (default: new, acknowledged, dispatched, escalated), or one state. */
  state: z.enum(['open', ...ALERT_STATES]).default('open'),
  /** Search (the console's 已办结 tab): one rule, and the Beijing days the alert was created in. */
  rule: z.enum(RULES).optional(),
  from: day.optional(),
  to: day.optional(),
});

export const silenceBody = z.strictObject({
  rule: z.enum(RULES),
  region: z.string().refine(isRegionCode, 'must be a region code'),
  reason: z.string().trim().min(1, 'must not be empty').max(200),
  /** How long, up to a week: a silence must end by itself. */
  minutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
});
