import type { MilestoneState, ProblemAction, ProblemState } from '../../shared/schemas/problem.ts';

/**
 * A problem as stored (times in epoch ms). The whole problem is one JSON document, so a step is a
 * pure function from the problem before to the problem after (./steps.ts) and the store commits it
 * with a version check: two officers verifying the same milestone at once cannot both take its
 * weight off.
 */
export interface StoredMilestone {
  n: number;
  title: string;
  deadline: number;
  weight: number;
  owner: { id: string; name: string };
  state: MilestoneState;
  overdueAt?: number;
  addedAt?: number;
  doneAt?: number;
  doneBy?: string;
  evidence?: string;
  verifiedAt?: number;
  verifiedBy?: string;
}

export interface StoredProblem {
  id: string;
  region: string;
  desk: string;
  title: string;
  description: string;
  stars: number;
  starsAtStart: number;
  state: ProblemState;
  lead: { id: string; name: string };
  partners: { id: string; name: string }[];
  milestones: StoredMilestone[];
  alerts: string[];
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  struckAt?: number;
  supervision?: { by: string; region: string; at: number; deadline?: number; requirement?: string };
}

/** One line of the append-only history. */
export interface StoredEntry {
  at: number;
  by: string;
  action: ProblemAction;
  n?: number;
  stars: number;
  text?: string;
}

/** Every department that may see the problem: the lead, the partners, and each milestone's owner. */
export function departmentsOf(p: StoredProblem): string[] {
  return [...new Set([p.lead.id, ...p.partners.map((d) => d.id), ...p.milestones.map((m) => m.owner.id)])];
}

/** Not done and past its deadline. */
export function isOverdue(m: StoredMilestone, now: number): boolean {
  return m.state === 'open' && m.deadline <= now;
}
