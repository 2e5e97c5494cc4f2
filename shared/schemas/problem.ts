import { z } from 'zod';
import { isRegionCode } from '../regions.ts';
import { count, isoTime } from './common.ts';
import { departmentIdSchema } from './department.ts';

/**
 * 重点问题 · 降星销号 (DESIGN.md "Problems, assessment and reports"): a problem registered for a
 * region with 1–5 stars, a lead department (谁主管、谁负责), co-operating departments and
 * milestones (整改措施) whose weights add up to the stars. Verifying a milestone takes its weight
 * off; verifying the last one brings 0 stars and strikes the problem off (销号, state `closed`).
 */

export const MAX_STARS = 5;
export const PROBLEM_STATES = ['open', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];
export const PROBLEM_STATE_LABELS: Record<ProblemState, string> = { open: '在办', closed: '已销号' };

/** open 未完成 → done 已完成 (by the owner department, with evidence) → verified 已核验 (by the registering level). */
export const MILESTONE_STATES = ['open', 'done', 'verified'] as const;
export type MilestoneState = (typeof MILESTONE_STATES)[number];
export const MILESTONE_STATE_LABELS: Record<MilestoneState, string> = {
  open: '未完成',
  done: '待核验',
  verified: '已核验',
};

/** Steps of a problem's history. */
export const PROBLEM_ACTIONS = ['register', 'done', 'verify', 'overdue', 'restar', 'strike', 'supervise'] as const;
export type ProblemAction = (typeof PROBLEM_ACTIONS)[number];
export const PROBLEM_ACTION_LABELS: Record<ProblemAction, string> = {
  register: '登记',
  done: '完成整改',
  verify: '核验降星',
  overdue: '逾期',
  restar: '升星',
  strike: '销号',
  supervise: '挂牌督办',
};

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const stars = z
  .number({ message: 'must be a number of stars 1–5' })
  .int('must be a whole number of stars')
  .min(1, 'must be 1–5')
  .max(MAX_STARS, 'must be 1–5');
const deadline = z.iso.datetime({ offset: true, local: false, message: 'must be an ISO 8601 time with offset' });

/** `pr-m3k2x9qa-7f3a1c` */
export const problemIdSchema = z.string().regex(/^pr-[a-z0-9-]{1,40}$/, 'must be a problem id pr-…');

/** One 整改措施 as registered: the server also refuses a deadline that is not in the future. */
export const milestoneInput = z.strictObject({
  title: text(100),
  deadline,
  weight: z
    .number({ message: 'must be a whole number ≥ 1' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_STARS, 'must be at most 5'),
  /** The department that carries it out; the lead by default. */
  owner: departmentIdSchema.optional(),
});
export type MilestoneInput = z.infer<typeof milestoneInput>;

/**
 * `POST /api/v1/problems` (commander or admin of the region or above). The weights of the
 * milestones add up to the stars; the departments are registry ids the region's desk may call
 * (checked by the server, which names the field of an unknown one).
 */
export const newProblemBody = z
  .strictObject({
    region: z.string().refine(isRegionCode, 'must be a region code'),
    title: text(60),
    description: text(2000),
    stars,
    lead: departmentIdSchema,
    partners: z
      .array(departmentIdSchema)
      .max(10)
      .refine((d) => new Set(d).size === d.length, 'partners must differ')
      .optional(),
    milestones: z.array(milestoneInput).min(1, 'at least one milestone').max(10),
    links: z.strictObject({ alerts: z.array(z.string().min(1).max(64)).max(20).optional() }).optional(),
  })
  .superRefine((b, ctx) => {
    const sum = b.milestones.reduce((s, m) => s + m.weight, 0);
    if (sum !== b.stars)
      ctx.addIssue({
        code: 'custom',
        path: ['milestones'],
        message: `weights add up to ${sum}; they must add up to the stars (${b.stars})`,
      });
  });
export type NewProblem = z.infer<typeof newProblemBody>;

/** `POST /api/v1/problems/:id/milestones/:n/done` by the owner department: what was done. */
export const milestoneDoneBody = z.strictObject({ evidence: text(1000) });

/** `POST /api/v1/problems/:id/milestones/:n/verify` by the registering level. */
export const milestoneVerifyBody = z.strictObject({ note: text(500).optional() });

/**
 * `POST /api/v1/problems/:id/restar` (升星) by the registering level: the new, higher stars, why,
 * and the milestone that carries the added stars (its weight is new stars − current stars).
 */
export const restarBody = z.strictObject({ stars, reason: text(500), milestone: milestoneInput });

/** `GET /api/v1/problems?region=&state=`: open (default), closed (销号), overdue (open, a milestone late), all. */
export const problemListQuery = z.strictObject({
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
  state: z.enum(['open', 'closed', 'overdue', 'all']).default('open'),
});

export const milestoneViewSchema = z.object({
  /** 1-based, as in the route. */
  n: z.number().int().positive(),
  title: z.string(),
  deadline: isoTime,
  weight: z.number().int().positive(),
  owner: z.object({ id: z.string(), name: z.string() }),
  state: z.enum(MILESTONE_STATES),
  /** Past its deadline and not done (逾期). */
  overdue: z.boolean(),
  /** When the sweep flagged it overdue; stays after it is done. */
  overdueAt: isoTime.optional(),
  /** Added by a 升星. */
  addedAt: isoTime.optional(),
  doneAt: isoTime.optional(),
  doneBy: z.string().optional(),
  evidence: z.string().optional(),
  verifiedAt: isoTime.optional(),
  verifiedBy: z.string().optional(),
});
export type MilestoneView = z.infer<typeof milestoneViewSchema>;

export const problemViewSchema = z.object({
  id: z.string(),
  region: z.string(),
  /** The level that registered it (the registrant's home region): it verifies and raises stars. */
  desk: z.string(),
  title: z.string(),
  description: z.string(),
  /** Current stars: the weights of the milestones not yet verified; 0 once struck off. */
  stars: z.number().int().min(0).max(MAX_STARS),
  /** Stars when registered. */
  starsAtStart: z.number().int().min(1).max(MAX_STARS),
  state: z.enum(PROBLEM_STATES),
  lead: z.object({ id: z.string(), name: z.string() }),
  partners: z.array(z.object({ id: z.string(), name: z.string() })),
  milestones: z.array(milestoneViewSchema),
  links: z.object({ alerts: z.array(z.string()) }),
  createdAt: isoTime,
  createdBy: z.string(),
  updatedAt: isoTime,
  /** 销号: when the last milestone was verified. */
  struckAt: isoTime.optional(),
  /** Some milestone is overdue. */
  overdue: z.boolean(),
  /** 挂牌督办 by a level strictly above the desk. */
  supervision: z
    .object({
      by: z.string(),
      region: z.string(),
      at: isoTime,
      deadline: isoTime.optional(),
      requirement: z.string().optional(),
      /** Past the deadline and not struck off. */
      overdue: z.boolean(),
    })
    .optional(),
});
export type ProblemView = z.infer<typeof problemViewSchema>;

export const problemHistoryEntrySchema = z.object({
  at: isoTime,
  by: z.string(),
  action: z.enum(PROBLEM_ACTIONS),
  /** The milestone the step is about. */
  n: z.number().int().positive().optional(),
  /** Stars after the step. */
  stars: z.number().int().min(0).max(MAX_STARS),
  /** Evidence, a 升星 reason, a verification or supervision note. */
  text: z.string().optional(),
});
export type ProblemHistoryEntry = z.infer<typeof problemHistoryEntrySchema>;

export const problemListReplySchema = z.object({ problems: z.array(problemViewSchema) });
export const problemReplySchema = z.object({ problem: problemViewSchema });
export const problemDetailSchema = z.object({
  problem: problemViewSchema,
  /** Append-only, oldest first. */
  history: z.array(problemHistoryEntrySchema),
});
export type ProblemDetail = z.infer<typeof problemDetailSchema>;

/** What a wall shows of a region's problems (the snapshot's `problems`), capped lists. */
export const problemDigestSchema = z.object({
  /** Open problems in the subtree and their stars. */
  open: count,
  stars: count,
  /** Open problems, most stars first (capped). */
  top: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      region: z.string(),
      stars: count,
      lead: z.string(),
      overdue: z.boolean(),
      supervised: z.boolean(),
    }),
  ),
  /** Overdue milestones of open problems (capped), oldest deadline first. */
  overdue: z.array(
    z.object({ problemId: z.string(), title: z.string(), milestone: z.string(), owner: z.string(), deadline: isoTime }),
  ),
  overdueCount: count,
  /** Struck off (销号) this Beijing month, newest first (capped), and how many. */
  struck: z.array(
    z.object({ id: z.string(), title: z.string(), region: z.string(), starsAtStart: count, struckAt: isoTime }),
  ),
  struckCount: count,
});
export type ProblemDigest = z.infer<typeof problemDigestSchema>;
