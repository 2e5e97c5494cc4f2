import type { MilestoneView, ProblemDigest, ProblemHistoryEntry, ProblemView } from '../../shared/schemas/problem.ts';
import { isoBeijing } from '../time/beijing.ts';
import { isOverdue, type StoredEntry, type StoredProblem } from './model.ts';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : isoBeijing(ms));
/** Copies only the fields that are set: the reply schemas have no nulls. */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** A problem as screens see it; `now` decides what is overdue (the sweep's flag may be a second behind). */
export function toView(p: StoredProblem, now: number): ProblemView {
  const milestones: MilestoneView[] = p.milestones.map((m) =>
    defined({
      n: m.n,
      title: m.title,
      deadline: isoBeijing(m.deadline),
      weight: m.weight,
      owner: m.owner,
      state: m.state,
      overdue: p.state === 'open' && isOverdue(m, now),
      overdueAt: iso(m.overdueAt),
      addedAt: iso(m.addedAt),
      doneAt: iso(m.doneAt),
      doneBy: m.doneBy,
      evidence: m.evidence,
      verifiedAt: iso(m.verifiedAt),
      verifiedBy: m.verifiedBy,
    }),
  );
  const s = p.supervision;
  return defined({
    id: p.id,
    region: p.region,
    desk: p.desk,
    title: p.title,
    description: p.description,
    stars: p.stars,
    starsAtStart: p.starsAtStart,
    state: p.state,
    lead: p.lead,
    partners: p.partners,
    milestones,
    links: { alerts: p.alerts },
    createdAt: isoBeijing(p.createdAt),
    createdBy: p.createdBy,
    updatedAt: isoBeijing(p.updatedAt),
    struckAt: iso(p.struckAt),
    overdue: milestones.some((m) => m.overdue),
    supervision: s
      ? defined({
          by: s.by,
          region: s.region,
          at: isoBeijing(s.at),
          deadline: iso(s.deadline),
          requirement: s.requirement,
          overdue: p.state === 'open' && s.deadline !== undefined && s.deadline <= now,
        })
      : undefined,
  });
}

export function toHistory(e: StoredEntry): ProblemHistoryEntry {
  return defined({ at: isoBeijing(e.at), by: e.by, action: e.action, n: e.n, stars: e.stars, text: e.text });
}

/** Items a wall lists of each kind. */
export const DIGEST_CAP = 8;

/**
 * The snapshot's `problems` from the subtree's open problems (most stars first), its totals and
 * this month's 销号. The lists are capped for the screen; the totals are exact.
 */
export function digestOf(
  open: StoredProblem[],
  totals: { open: number; stars: number },
  struck: StoredProblem[],
  struckCount: number,
  now: number,
): ProblemDigest {
  const late = open.flatMap((p) => p.milestones.filter((m) => isOverdue(m, now)).map((m) => ({ p, m })));
  late.sort((a, b) => a.m.deadline - b.m.deadline);
  return {
    open: totals.open,
    stars: totals.stars,
    top: [...open]
      .sort((a, b) => b.stars - a.stars || a.createdAt - b.createdAt)
      .slice(0, DIGEST_CAP)
      .map((p) => ({
        id: p.id,
        title: p.title,
        region: p.region,
        stars: p.stars,
        lead: p.lead.name,
        overdue: p.milestones.some((m) => isOverdue(m, now)),
        supervised: p.supervision !== undefined,
      })),
    overdue: late.slice(0, DIGEST_CAP).map(({ p, m }) => ({
      problemId: p.id,
      title: p.title,
      milestone: m.title,
      owner: m.owner.name,
      deadline: isoBeijing(m.deadline),
    })),
    overdueCount: late.length,
    struck: struck.slice(0, DIGEST_CAP).map((p) => ({
      id: p.id,
      title: p.title,
      region: p.region,
      starsAtStart: p.starsAtStart,
      struckAt: isoBeijing(p.struckAt ?? p.updatedAt),
    })),
    struckCount,
  };
}
