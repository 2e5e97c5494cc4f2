import { z } from 'zod';
import { isRegionCode } from '../regions.ts';
import { ALERT_STATES, alertViewSchema } from './alert.ts';
import { isoTime } from './common.ts';

/** 挂牌督办 lists (DESIGN.md "Departments and supervision"). */

/** `GET /api/v1/supervision?region=`: what the level `region` (default: the caller's home) supervises. */
export const supervisionListQuery = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
});

/** One supervised item; problems will join with `problem` in place of `alert`. */
export const supervisionItemSchema = z.object({
  alert: alertViewSchema,
  /** ISO 8601 +08:00; absent when listed without a deadline. */
  deadline: isoTime.optional(),
  requirement: z.string().optional(),
  /** The alert's state. */
  state: z.enum(ALERT_STATES),
  /** Past the deadline and not yet resolved or closed. */
  overdue: z.boolean(),
});
export type SupervisionItem = z.infer<typeof supervisionItemSchema>;

/** Overdue first, then by deadline (soonest first), then those without a deadline. */
export const supervisionListReplySchema = z.object({ items: z.array(supervisionItemSchema) });
