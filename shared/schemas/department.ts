import { z } from 'zod';
import { isRegionCode } from '../regions.ts';
import { alertViewSchema } from './alert.ts';

/**
 * Departments and their tasks (DESIGN.md "Departments and supervision": 中心吹哨、部门报到).
 * A department of the registry has a stable id `dep-…` (never equal to a name); a department named
 * at dispatch that is not in the registry is ad hoc (`adhoc: true`, no id, reached by phone).
 */

/** `dep-620702-police` (a default one: region and kind), `dep-620702-m4k2x9` (added by an admin). */
export const departmentIdSchema = z.string().regex(/^dep-[a-z0-9-]{1,60}$/, 'must be a department id dep-…');

/** A department of the registry. */
export const departmentSchema = z.object({
  id: z.string(),
  /** The region whose desk may call it (and every desk below). */
  region: z.string(),
  name: z.string(),
  /** e.g. `police`, `justice`, `petition`, `township` (the default set's kinds), free for added ones. */
  kind: z.string().optional(),
  /** A phone number or a person: shown to the desk, plain text. */
  contact: z.string().optional(),
  /** One of the default set every county and township has (not stored; cannot be removed). */
  builtin: z.boolean(),
});
export type Department = z.infer<typeof departmentSchema>;

/** `GET /api/v1/departments?region=`: the departments a desk of `region` may call, its own first, then its ancestors'. */
export const departmentListQuery = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
});
export const departmentListReplySchema = z.object({ departments: z.array(departmentSchema) });

/** `POST /api/v1/departments` (admin) → 201 `{department}`. */
export const newDepartmentBody = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code'),
  name: z.string().trim().min(1, 'must not be empty').max(40),
  kind: z
    .string()
    .regex(/^[a-z0-9_]{1,20}$/, 'must be 1–20 lowercase letters, digits or _')
    .optional(),
  contact: z.string().trim().min(1, 'must not be empty').max(100).optional(),
});
export const departmentReplySchema = z.object({ department: departmentSchema });

/** 反馈 results. */
export const FEEDBACK_RESULTS = ['handled', 'partly', 'unable'] as const;
export type FeedbackResult = (typeof FEEDBACK_RESULTS)[number];
export const FEEDBACK_RESULT_LABELS: Record<FeedbackResult, string> = {
  handled: '已处置',
  partly: '部分处置',
  unable: '无法处置',
};

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/**
 * Recorded by a desk for a department (by phone): which department (registry id or the name it
 * was dispatched under), and why the desk records it. A department account sends none of these.
 */
const onBehalfFields = {
  department: text(40).optional(),
  onBehalf: z.literal(true).optional(),
  reason: text(200).optional(),
};
const onBehalfNeedsReason = <T extends { onBehalf?: true; reason?: string; department?: string }>(b: T) =>
  b.onBehalf === undefined || (b.reason !== undefined && b.department !== undefined);
const onBehalfMessage = { message: 'onBehalf needs the department and a reason', path: ['reason'] };

/**
 * `POST /api/v1/alerts/:id/checkin` (报到): `{}` from a department account; from a desk
 * `{department, onBehalf: true, reason}` (a bare `{department}` stays valid for older consoles and
 * is recorded as on behalf, without a reason).
 */
export const checkinBody = z
  .strictObject({ ...onBehalfFields, note: text(500).optional() })
  .refine(onBehalfNeedsReason, onBehalfMessage);

/** `POST /api/v1/alerts/:id/feedback` (反馈): what was done, and how it ended. Needs the report-in first. */
export const feedbackBody = z
  .strictObject({ ...onBehalfFields, text: text(1000), result: z.enum(FEEDBACK_RESULTS) })
  .refine(onBehalfNeedsReason, onBehalfMessage);

/** `POST /api/v1/alerts/:id/assist` (请求协办): a department asks the desk for help; department accounts only. */
export const assistBody = z.strictObject({ text: text(500) });

/** 待报到 / 办理中 / 已反馈. */
export const TASK_STATES = ['pending', 'active', 'done'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_LABELS: Record<TaskState, string> = { pending: '待报到', active: '办理中', done: '已反馈' };

/** `GET /api/v1/tasks?state=` (department accounts): without `state`, all three. */
export const taskListQuery = z.strictObject({ state: z.enum(TASK_STATES).optional() });

/** One task: the alert and which of its departments is the caller's (`alert.departments[]` has the detail). */
export const taskSchema = z.object({
  state: z.enum(TASK_STATES),
  department: z.string(),
  alert: alertViewSchema,
});
export type Task = z.infer<typeof taskSchema>;
export const taskListReplySchema = z.object({ tasks: z.array(taskSchema) });
