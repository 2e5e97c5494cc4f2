import type { Clock } from '../clock.ts';
import { fromWire, monthEnd, monthStart } from '../safety-index/months.ts';
import type { StoredEntry, StoredProblem } from './model.ts';
import type { ProblemStore } from './store.ts';

/** A region's problems in one month, for the monthly 通报 and the 考核 (DESIGN.md "Problems, assessment and reports"). */
export interface ProblemsOfMonth {
  /** Registered in the month. */
  registered: number;
  /** Struck off (销号) in the month; `struckAt` epoch ms. */
  struckOff: { id: string; title: string; region: string; starsAtStart: number; struckAt: number }[];
  /** Open at the end of the month (now, for the current month), with their stars then. */
  open: { id: string; title: string; region: string; stars: number; leadDepartment: string }[];
  /** Milestones of those open problems past their deadline and not done by then; `deadline` epoch ms. */
  overdue: { problemId: string; title: string; milestone: string; ownerDepartment: string; deadline: number }[];
  /** Milestones whose deadline fell in the month (up to now, for the current month)… */
  milestonesDue: number;
  /** …and of those, the ones done (完成, by the owner) by their deadline. */
  milestonesOnTime: number;
}

/** Stars after the last step before `at`: the history is append-only, so it answers for any past moment. */
function starsAt(history: StoredEntry[], at: number, fallback: number): number {
  let stars = fallback;
  for (const e of history) if (e.at < at) stars = e.stars;
  return stars;
}

/**
 * `problemsOfMonth(region, 'YYYY-MM')` over the region and its descendants. A month is read as it
 * ended (or as it stands, for the current one): a problem struck off later still counts as open
 * then, with the stars its history says it had. Figures come from the documents and their
 * histories, so a month read twice gives the same answer once it is over.
 */
export function problemsOfMonthFrom(deps: { store: ProblemStore; clock: Clock }) {
  return async function problemsOfMonth(region: string, month: string): Promise<ProblemsOfMonth> {
    const m = fromWire(month);
    const start = monthStart(m);
    const end = monthEnd(m);
    // Exclusive like `end`: a step taken this very millisecond is already in the month.
    const cut = Math.min(end, deps.clock.now() + 1);
    const ids = await deps.store.idsBetween(region, 'all', 0, end);
    const problems = (await deps.store.readMany(ids)).filter((p) => !(p.struckAt !== undefined && p.struckAt < start));
    const out: ProblemsOfMonth = {
      registered: problems.filter((p) => p.createdAt >= start).length,
      struckOff: [],
      open: [],
      overdue: [],
      milestonesDue: 0,
      milestonesOnTime: 0,
    };
    for (const p of problems) {
      if (p.struckAt !== undefined && p.struckAt < end)
        out.struckOff.push({
          id: p.id,
          title: p.title,
          region: p.region,
          starsAtStart: p.starsAtStart,
          struckAt: p.struckAt,
        });
      const openAtCut = p.struckAt === undefined || p.struckAt >= cut;
      if (openAtCut) {
        const stars = p.updatedAt < cut ? p.stars : starsAt(await deps.store.history(p.id), cut, p.starsAtStart);
        out.open.push({ id: p.id, title: p.title, region: p.region, stars, leadDepartment: p.lead.name });
      }
      for (const ms of milestonesAt(p, cut)) {
        const doneBy = ms.doneAt !== undefined && ms.doneAt < cut ? ms.doneAt : undefined;
        if (ms.deadline >= start && ms.deadline < cut) {
          out.milestonesDue++;
          if (doneBy !== undefined && doneBy <= ms.deadline) out.milestonesOnTime++;
        }
        if (openAtCut && ms.deadline < cut && doneBy === undefined)
          out.overdue.push({
            problemId: p.id,
            title: p.title,
            milestone: ms.title,
            ownerDepartment: ms.owner.name,
            deadline: ms.deadline,
          });
      }
    }
    out.struckOff.sort((a, b) => a.struckAt - b.struckAt);
    out.open.sort((a, b) => b.stars - a.stars || a.id.localeCompare(b.id));
    out.overdue.sort((a, b) => a.deadline - b.deadline);
    return out;
  };
}

/** The milestones a problem had at `at`: one added by a later 升星 did not exist yet. */
function milestonesAt(p: StoredProblem, at: number) {
  return p.milestones.filter((m) => m.addedAt === undefined || m.addedAt < at);
}
