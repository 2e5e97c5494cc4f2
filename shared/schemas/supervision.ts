import { z } from 'zod';
import { isRegionCode } from '../regions.ts';
import { ALERT_STATES, alertViewSchema } from './alert.ts';
import { isoTime } from './common.ts';
import { PROBLEM_STATES, problemViewSchema } from './problem.ts';

/** 挂牌督办 lists (DESIGN.md "Departments and supervision"). */

/** `GET /api/v1/supervision?region=`: what the level `region` (default: the caller's home) supervises. */
export const supervisionListQuery = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
});

/** One supervised alert. */
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

/** One supervised 重点问题 (`POST /api/v1/problems/:id/supervise`). */
export const problemSupervisionItemSchema = z.object({
  problem: problemViewSchema,
  deadline: isoTime.optional(),
  requirement: z.string().optional(),
  /** The problem's state: open, or closed (销号). */
  state: z.enum(PROBLEM_STATES),
  /** Past the deadline and not struck off. */
  overdue: z.boolean(),
});
export type ProblemSupervisionItem = z.infer<typeof problemSupervisionItemSchema>;

/** Overdue first, then by deadline (soonest first), then those without a deadline; alerts and problems together. */
export const supervisionListReplySchema = z.object({
  items: z.array(z.union([supervisionItemSchema, problemSupervisionItemSchema])),
});
