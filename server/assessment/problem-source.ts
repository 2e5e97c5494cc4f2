/**
 * What the assessment and the 通报 need from the 重点问题 register (降星销号), which another module
 * owns: the composition root wires the register's reader in. Without one the figures that come
 * from it are null and the 通报 says 重点问题台账未启用.
 *
 * For one region's subtree and Beijing month `YYYY-MM`: `registered` problems registered in the
 * month; `struckOff` those struck off (销号) in it; `open` those still open now; `overdue` open
 * milestones (整改措施) past their deadline; `milestonesDue` milestones whose deadline fell in the
 * month, `milestonesOnTime` of them those done by it. Times are epoch ms.
 */
export type ProblemSource = (
  region: string,
  month: string,
) => Promise<{
  registered: number;
  struckOff: { id: string; title: string; region: string; starsAtStart: number; struckAt: number }[];
  open: { id: string; title: string; region: string; stars: number; leadDepartment: string }[];
  overdue: { problemId: string; title: string; milestone: string; ownerDepartment: string; deadline: number }[];
  milestonesDue: number;
  milestonesOnTime: number;
}>;

export type ProblemFigures = Awaited<ReturnType<ProblemSource>>;

/** Shown wherever a figure or a section comes from the register and none is connected. */
export const NO_PROBLEM_REGISTER = '重点问题台账未启用';
