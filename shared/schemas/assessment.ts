import { z } from 'zod';
import { LEVELS } from '../regions.ts';
import { count, isoTime, month, rate } from './common.ts';

/**
 * 督办考核: the monthly assessment of every desk (region) and department (DESIGN.md "Problems,
 * assessment and reports"; definitions in docs/assessment.md). An alert counts in the month it was
 * created; every figure is a numerator over a denominator.
 */

/** Figures of a desk (a region's duty desk and everything below it). */
export const DESK_FIGURES = [
  'signOnTime',
  'resolveOnTime',
  'disputeResolution',
  'mediationSuccess',
  'reportOnTime',
  'supervisionOnTime',
  'problemsClosed',
  'milestonesOnTime',
] as const;
export type DeskFigure = (typeof DESK_FIGURES)[number];

/** Figures of a department of the region's registry. */
export const DEPARTMENT_FIGURES = ['checkinOnTime', 'feedbackRate'] as const;
export type DepartmentFigure = (typeof DEPARTMENT_FIGURES)[number];

export const FIGURE_LABELS: Record<DeskFigure | DepartmentFigure, string> = {
  signOnTime: '签收及时率',
  resolveOnTime: '办结及时率',
  disputeResolution: '矛盾纠纷化解率',
  mediationSuccess: '调解成功率',
  reportOnTime: '上报及时率',
  supervisionOnTime: '督办按期率',
  problemsClosed: '重点问题销号率',
  milestonesOnTime: '整改按期率',
  checkinOnTime: '报到及时率',
  feedbackRate: '反馈率',
};

/** The formula of each figure as the table's header tooltip and the 通报's notes say it. */
export const FIGURE_FORMULAS: Record<DeskFigure | DepartmentFigure, string> = {
  signOnTime: '时限内签收的预警 ÷ 已到签收时限或已签收的预警',
  resolveOnTime: '办结时限内办结的预警 ÷ 已到办结时限或已办结的预警',
  disputeResolution: '化解的矛盾纠纷 ÷ 受理的矛盾纠纷',
  mediationSuccess: '调解成功 ÷ (调解成功 + 调解不成功)',
  reportOnTime: '按时上报 ÷ (上报总数 + 失联次数)',
  supervisionOnTime: '督办期限内办结的挂牌督办预警 ÷ 已到督办期限或已办结的挂牌督办预警',
  problemsClosed: '本月销号的重点问题 ÷ (本月销号 + 仍在册未销号)',
  milestonesOnTime: '按期完成的整改措施 ÷ 本月到期的整改措施',
  checkinOnTime: '时限内报到的分派 ÷ 已到报到时限或已报到的分派',
  feedbackRate: '已反馈的分派 ÷ (已办结预警的分派 + 已反馈的分派)',
};

/** A rate over fewer cases than this is shown as its counts and not ranked (like with like). */
export const MIN_RANKED_DENOMINATOR = 5;

/** One figure: `rate` is num ÷ den, null when den is 0; `rank` among the siblings, null when not ranked. */
export const figureSchema = z.object({
  num: count,
  den: count,
  rate,
  /** 1 = best among the rows of the same table with at least MIN_RANKED_DENOMINATOR in `den`; ties share. */
  rank: z.number().int().positive().nullable(),
});
export type Figure = z.infer<typeof figureSchema>;

/** null: the figure does not exist for this row (上报及时率 of a village, problems without the register). */
const figureOrNone = figureSchema.nullable();

export const deskRowSchema = z.object({
  code: z.string(),
  name: z.string(),
  figures: z.object(
    Object.fromEntries(DESK_FIGURES.map((f) => [f, figureOrNone])) as Record<DeskFigure, typeof figureOrNone>,
  ),
});
export type DeskRow = z.infer<typeof deskRowSchema>;

export const departmentRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string().optional(),
  figures: z.object(
    Object.fromEntries(DEPARTMENT_FIGURES.map((f) => [f, figureOrNone])) as Record<
      DepartmentFigure,
      typeof figureOrNone
    >,
  ),
  /** Overdue 整改措施 this department owns (from the problem register); null without the register. */
  milestonesOverdue: count.nullable(),
});
export type DepartmentRow = z.infer<typeof departmentRowSchema>;

/**
 * A level's view of its child desks' departments (职能部门 of every level below each child): one
 * row per child region, its departments' dispatches of the month summed, ranked among the
 * children. Nothing is written per event for it: the sums come from the month's alerts.
 */
export const childDepartmentsRowSchema = z.object({
  code: z.string(),
  name: z.string(),
  /** How many departments of the child's area were dispatched to in the month. */
  departments: count,
  figures: z.object(
    Object.fromEntries(DEPARTMENT_FIGURES.map((f) => [f, figureOrNone])) as Record<
      DepartmentFigure,
      typeof figureOrNone
    >,
  ),
});
export type ChildDepartmentsRow = z.infer<typeof childDepartmentsRowSchema>;

/** `GET /api/v1/assessment/:code?month=YYYY-MM` */
export const assessmentReplySchema = z.object({
  region: z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) }),
  /** `YYYY-MM` (Beijing). */
  month,
  /** True for the current month (live, 暂估); false once frozen. */
  provisional: z.boolean(),
  /** When the figures were computed (live) or frozen (ISO 8601 +08:00). */
  asOf: isoTime,
  /** The region's own desk: the headline figures. */
  own: deskRowSchema,
  /** Its child desks, ranked among themselves. */
  desks: z.array(deskRowSchema),
  /** The departments of its registry (built in and added), ranked among themselves. */
  departments: z.array(departmentRowSchema),
  /**
   * Down to the county: its children's departments (all levels below each child) summed per child,
   * ranked among the children. A desk dispatches to its own area's departments, so a province's own
   * list stays empty of work while its cities' and townships' departments do it.
   */
  departmentsByChild: z.array(childDepartmentsRowSchema).optional(),
  /** False when no problem register is connected: 重点问题台账未启用. */
  problemRegister: z.boolean(),
  minRankedDenominator: z.number().int().positive(),
});
export type AssessmentReply = z.infer<typeof assessmentReplySchema>;

export const assessmentQuerySchema = z.object({ month: month.optional() });

export const assessmentExportQuerySchema = z.object({
  month: month.optional(),
  format: z.enum(['csv', 'xlsx']),
  /** CSV holds one table: the desks (default) or the departments; XLSX always has both sheets. */
  table: z.enum(['desks', 'departments']).default('desks'),
});

/** `GET /api/v1/reports/monthly/:code`: the month defaults to the last complete one, the format to HTML. */
export const monthlyReportQuerySchema = z.object({
  month: month.optional(),
  format: z.enum(['html', 'pdf', 'csv', 'xlsx']).default('html'),
});
export type MonthlyReportFormat = z.infer<typeof monthlyReportQuerySchema>['format'];
