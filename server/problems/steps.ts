import { MAX_STARS } from '../../shared/schemas/problem.ts';
import type { StoredEntry, StoredMilestone, StoredProblem } from './model.ts';

/** A step on a problem, as the service hands it over once the caller's right to take it is checked. */
export type Step =
  | { kind: 'done'; n: number; department: string; evidence: string; by: string }
  | { kind: 'verify'; n: number; by: string; note?: string }
  | {
      kind: 'restar';
      stars: number;
      reason: string;
      milestone: Omit<StoredMilestone, 'n' | 'state' | 'addedAt'>;
      by: string;
    }
  | { kind: 'overdue'; n: number }
  | {
      kind: 'supervise';
      region: string;
      by: string;
      deadline?: number;
      requirement?: string;
      note?: string;
    };

/** Why a step was refused; `field` is the request field the refusal is about. */
export type StepRefusal =
  | { reason: 'closed' }
  | { reason: 'no_milestone'; field: string }
  | { reason: 'not_done'; field: string }
  | { reason: 'already_done'; field: string }
  | { reason: 'verified'; field: string }
  | { reason: 'not_owner'; field: string; owner: string }
  | { reason: 'stars_not_higher'; field: string; current: number }
  | { reason: 'weight_mismatch'; field: string; expected: number }
  | { reason: 'supervised' }
  | { reason: 'not_due' };

export type StepResult = { ok: true; problem: StoredProblem; entries: StoredEntry[] } | ({ ok: false } & StepRefusal);

const refuse = (r: StepRefusal): StepResult => ({ ok: false, ...r });

/** The open weights always add up to the stars: the invariant every step keeps. */
export function openWeight(p: StoredProblem): number {
  return p.milestones.filter((m) => m.state !== 'verified').reduce((s, m) => s + m.weight, 0);
}

/**
 * Applies one step to a problem and says what goes into its history. Pure: the store commits the
 * result only if the problem did not change meanwhile, and the service retries on a fresh read.
 */
export function applyStep(before: StoredProblem, step: Step, now: number): StepResult {
  if (before.state === 'closed') return refuse({ reason: 'closed' });
  const p: StoredProblem = structuredClone(before);
  p.updatedAt = now;
  const field = 'n' in step ? `milestones.${step.n}` : '';
  const m = 'n' in step ? p.milestones[step.n - 1] : undefined;
  if ('n' in step && !m) return refuse({ reason: 'no_milestone', field });

  switch (step.kind) {
    case 'done': {
      if (m!.owner.id !== step.department)
        return refuse({ reason: 'not_owner', field: `${field}.owner`, owner: m!.owner.name });
      if (m!.state === 'verified') return refuse({ reason: 'verified', field });
      if (m!.state === 'done') return refuse({ reason: 'already_done', field });
      Object.assign(m!, { state: 'done', doneAt: now, doneBy: step.by, evidence: step.evidence });
      return {
        ok: true,
        problem: p,
        entries: [{ at: now, by: step.by, action: 'done', n: step.n, stars: p.stars, text: step.evidence }],
      };
    }
    case 'verify': {
      if (m!.state === 'verified') return refuse({ reason: 'verified', field });
      if (m!.state !== 'done') return refuse({ reason: 'not_done', field });
      Object.assign(m!, { state: 'verified', verifiedAt: now, verifiedBy: step.by });
      p.stars = openWeight(p);
      const entries: StoredEntry[] = [
        {
          at: now,
          by: step.by,
          action: 'verify',
          n: step.n,
          stars: p.stars,
          ...(step.note ? { text: step.note } : {}),
        },
      ];
      if (p.stars === 0) {
        p.state = 'closed';
        p.struckAt = now;
        entries.push({ at: now, by: step.by, action: 'strike', stars: 0 });
      }
      return { ok: true, problem: p, entries };
    }
    case 'restar': {
      if (step.stars <= p.stars) return refuse({ reason: 'stars_not_higher', field: 'stars', current: p.stars });
      if (step.stars > MAX_STARS) return refuse({ reason: 'stars_not_higher', field: 'stars', current: p.stars });
      if (step.milestone.weight !== step.stars - p.stars)
        return refuse({ reason: 'weight_mismatch', field: 'milestone.weight', expected: step.stars - p.stars });
      p.milestones.push({ ...step.milestone, n: p.milestones.length + 1, state: 'open', addedAt: now });
      p.stars = step.stars;
      return {
        ok: true,
        problem: p,
        entries: [
          { at: now, by: step.by, action: 'restar', n: p.milestones.length, stars: p.stars, text: step.reason },
        ],
      };
    }
    case 'overdue': {
      if (m!.state !== 'open' || m!.overdueAt !== undefined || m!.deadline > now) return refuse({ reason: 'not_due' });
      m!.overdueAt = now;
      return {
        ok: true,
        problem: p,
        entries: [{ at: now, by: 'system', action: 'overdue', n: step.n, stars: p.stars, text: m!.title }],
      };
    }
    case 'supervise': {
      if (p.supervision) return refuse({ reason: 'supervised' });
      p.supervision = {
        by: step.by,
        region: step.region,
        at: now,
        ...(step.deadline ? { deadline: step.deadline } : {}),
        ...(step.requirement ? { requirement: step.requirement } : {}),
      };
      const text = [step.requirement, step.note].filter(Boolean).join('；');
      return {
        ok: true,
        problem: p,
        entries: [{ at: now, by: step.by, action: 'supervise', stars: p.stars, ...(text ? { text } : {}) }],
      };
    }
  }
}
