import { Router, type Response } from 'express';
import { z } from 'zod';
import { ALERT_ACTORS, ROLES } from '../../../shared/roles.ts';
import { superviseBody } from '../../../shared/schemas/alert-actions.ts';
import {
  milestoneDoneBody,
  milestoneVerifyBody,
  newProblemBody,
  problemListQuery,
  restarBody,
  type ProblemView,
} from '../../../shared/schemas/problem.ts';
import { inScope } from '../../auth/scope.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { DepartmentRegistry } from '../../departments/registry.ts';
import type { StoredProblem } from '../../problems/model.ts';
import { departmentsOf } from '../../problems/model.ts';
import type { Problems, StepResult } from '../../problems/service.ts';
import { maskProblem } from '../../privacy/mask.ts';
import { milestoneTable, problemTable } from '../../exports/problems.ts';
import { sendTables } from '../../exports/table.ts';
import { EXPORT_ROW_LIMIT, problemExportQuery } from '../../../shared/schemas/export.ts';
import { tooManyRows } from './export-limit.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { supervisionRefusal } from '../../supervision/rules.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { supervisionError } from '../supervision-refusal.ts';
import { regionParam } from './regions.ts';

/** Who registers problems and raises their stars: a decision for the level's leaders. */
const DECIDERS = ['commander', 'admin'] as const;

const milestoneNumber = z.string().regex(/^[1-9]\d?$/, 'must be a milestone number from 1');

/** A 400 whose details name the field, as the schema's own refusals do. */
const badField = (field: string, message: string) =>
  new HttpError(400, 'bad_request', `${field}: ${message}`, { errors: [`${field}: ${message}`] });

/** A refused step as the HTTP answer the console can explain. */
function refusal(r: Exclude<StepResult, { ok: true }>): HttpError {
  if (r.reason === 'not_found') return new HttpError(404, 'not_found', 'no such problem');
  if (r.reason === 'busy') return new HttpError(409, 'conflict', 'the problem changed meanwhile; try again');
  const state = { state: r.problem.state, stars: r.problem.stars };
  const conflict = (field: string, message: string) =>
    new HttpError(409, 'conflict', `${field}: ${message}`, { ...state, errors: [`${field}: ${message}`] });
  switch (r.reason) {
    case 'closed':
      return new HttpError(409, 'conflict', 'the problem is struck off (已销号)', state);
    case 'no_milestone':
      return new HttpError(404, 'not_found', `${r.field}: no such milestone`, {
        errors: [`${r.field}: no such milestone`],
      });
    case 'not_done':
      return conflict(r.field, 'not done yet (未完成): only a done milestone can be verified');
    case 'already_done':
      return conflict(r.field, 'already done, waiting for verification');
    case 'verified':
      return conflict(r.field, 'already verified');
    case 'not_owner':
      return new HttpError(403, 'not_your_department', `${r.field}: the milestone belongs to ${r.owner}`, {
        errors: [`${r.field}: the milestone belongs to ${r.owner}`],
      });
    case 'stars_not_higher':
      return badField(r.field, `升星 must go above the current ${r.current} stars`);
    case 'weight_mismatch':
      return badField(r.field, `must carry the added stars (${r.expected})`);
    case 'supervised':
      return new HttpError(409, 'conflict', 'the problem is already supervised', state);
    case 'not_due':
      return new HttpError(409, 'conflict', 'nothing to flag', state);
  }
}

/**
 * 重点问题 (降星销号), DESIGN.md "Problems, assessment and reports". Every route checks the role and
 * the region: desks see their subtree's problems, a department only those it leads, partners in or
 * owns a milestone of; the registering level (the problem's desk) verifies and raises stars; a
 * level strictly above the desk may supervise.
 */
export function problemsRouter(deps: {
  problems: Problems;
  departments: Pick<DepartmentRegistry, 'callable'>;
  tokens: Tokens;
  tree: RegionTree;
}): Router {
  const router = Router();
  const anyRole = requireUser(deps.tokens, [...ROLES]);
  const now = () => deps.problems.now();

  const shown = (res: Response, p: ProblemView) => (principal(res).publicMode ? maskProblem(p) : p);

  async function readable(id: string, res: Response): Promise<StoredProblem> {
    const p = await deps.problems.get(id);
    if (!p) throw new HttpError(404, 'not_found', 'no such problem');
    const who = principal(res);
    if (!inScope(who, p.region)) throw new HttpError(403, 'out_of_scope', `problem ${id} is outside your area`);
    if (who.role === 'department' && !departmentsOf(p).includes(who.department ?? ''))
      throw new HttpError(403, 'not_your_task', `problem ${id} is not one of your department’s`);
    return p;
  }

  /** Verifying and 升星 are the registering level's. */
  function atDesk(p: StoredProblem, res: Response): void {
    if (principal(res).region !== p.desk)
      throw new HttpError(403, 'forbidden', `the registering level (${p.desk}) verifies and raises the stars`);
  }

  function future(iso: string, field: string): number {
    const t = Date.parse(iso);
    if (!(t > now())) throw badField(field, 'must be in the future');
    return t;
  }

  /** The list a caller may see with these filters: a desk its subtree's, a department its own. */
  async function listed(q: z.infer<typeof problemListQuery>, res: Response, cap?: number): Promise<ProblemView[]> {
    const who = principal(res);
    let list: ProblemView[];
    if (who.role === 'department') {
      if (!who.department) throw new HttpError(403, 'forbidden', 'the account is bound to no department');
      if (q.region) regionParam(deps.tree, q.region, res);
      const mine = await deps.problems.forDepartment(who.department, cap);
      list = mine.filter((p) =>
        q.state === 'all' ? true : q.state === 'overdue' ? p.state === 'open' && p.overdue : p.state === q.state,
      );
    } else {
      const region = regionParam(deps.tree, q.region ?? who.region, res);
      list = await deps.problems.list(region, q.state, cap);
    }
    return list.map((p) => shown(res, p));
  }

  router.get('/problems', anyRole, async (req, res) => {
    res.json({ problems: await listed(parse(problemListQuery, req.query, 'query'), res) });
  });

  // Before /problems/:id, which would take `export` for an id.
  router.get('/problems/export', anyRole, async (req, res) => {
    const { format, ...q } = parse(problemExportQuery, req.query, 'query');
    // One more than the limit is read: a list that filled it may go on, and is refused, not cut.
    const list = await listed(q, res, EXPORT_ROW_LIMIT + 1);
    if (list.length > EXPORT_ROW_LIMIT) throw tooManyRows(list.length, true);
    const name = (c: string) => deps.tree.get(c)?.name ?? c;
    const who = principal(res);
    // A department's list is its own problems wherever they are: no region in its file's name.
    const title = `${who.role === 'department' ? '' : name(q.region ?? who.region)}重点问题清单`;
    await sendTables(res, format, title, [problemTable(list, name), milestoneTable(list)]);
  });

  router.get('/problems/:id', anyRole, async (req, res) => {
    const id = String(req.params.id);
    if (principal(res).publicMode)
      throw new HttpError(403, 'forbidden', 'problem details are not shown in public mode');
    const p = await readable(id, res);
    res.json({ problem: deps.problems.view(p), history: await deps.problems.history(id) });
  });

  router.post('/problems', requireUser(deps.tokens, DECIDERS), async (req, res) => {
    const b = parse(newProblemBody, req.body ?? {}, 'body');
    regionParam(deps.tree, b.region, res);
    const milestones = b.milestones.map((m, i) => ({
      title: m.title,
      weight: m.weight,
      deadline: future(m.deadline, `milestones.${i}.deadline`),
      ...(m.owner ? { owner: m.owner } : {}),
    }));
    const who = principal(res);
    const r = await deps.problems.register({
      region: b.region,
      desk: who.region,
      title: b.title,
      description: b.description,
      stars: b.stars,
      lead: b.lead,
      partners: b.partners ?? [],
      milestones,
      alerts: b.links?.alerts ?? [],
      by: who.username,
    });
    if (!r.ok) throw badField(r.field, `unknown department ${r.id} (not in the registry of ${b.region} or above)`);
    res.status(201).json({ problem: r.problem });
  });

  router.post('/problems/:id/milestones/:n/done', requireUser(deps.tokens, ['department']), async (req, res) => {
    const n = Number(parse(milestoneNumber, String(req.params.n), 'n'));
    const b = parse(milestoneDoneBody, req.body ?? {}, 'body');
    const id = String(req.params.id);
    await readable(id, res);
    const who = principal(res);
    const r = await deps.problems.step(id, {
      kind: 'done',
      n,
      department: who.department ?? '',
      evidence: b.evidence,
      by: who.username,
    });
    if (!r.ok) throw refusal(r);
    res.json({ problem: r.problem });
  });

  router.post('/problems/:id/milestones/:n/verify', requireUser(deps.tokens, ALERT_ACTORS), async (req, res) => {
    const n = Number(parse(milestoneNumber, String(req.params.n), 'n'));
    const b = parse(milestoneVerifyBody, req.body ?? {}, 'body');
    const id = String(req.params.id);
    atDesk(await readable(id, res), res);
    const r = await deps.problems.step(id, {
      kind: 'verify',
      n,
      by: principal(res).username,
      ...(b.note ? { note: b.note } : {}),
    });
    if (!r.ok) throw refusal(r);
    res.json({ problem: r.problem });
  });

  router.post('/problems/:id/restar', requireUser(deps.tokens, DECIDERS), async (req, res) => {
    const b = parse(restarBody, req.body ?? {}, 'body');
    const id = String(req.params.id);
    const p = await readable(id, res);
    atDesk(p, res);
    const deadline = future(b.milestone.deadline, 'milestone.deadline');
    const ownerId = b.milestone.owner ?? p.lead.id;
    const owner = (await deps.departments.callable(p.region)).find((d) => d.id === ownerId);
    if (!owner)
      throw badField('milestone.owner', `unknown department ${ownerId} (not in the registry of ${p.region} or above)`);
    const r = await deps.problems.step(id, {
      kind: 'restar',
      stars: b.stars,
      reason: b.reason,
      milestone: {
        title: b.milestone.title,
        deadline,
        weight: b.milestone.weight,
        owner: { id: owner.id, name: owner.name },
      },
      by: principal(res).username,
    });
    if (!r.ok) throw refusal(r);
    res.json({ problem: r.problem });
  });

  router.post('/problems/:id/supervise', requireUser(deps.tokens, ALERT_ACTORS), async (req, res) => {
    const b = parse(superviseBody, req.body ?? {}, 'body');
    const id = String(req.params.id);
    const p = await readable(id, res);
    const who = principal(res);
    const deadline = b.deadline ? Date.parse(b.deadline) : undefined;
    const refused = supervisionRefusal(p.desk, who.region, deadline, now());
    if (refused) throw supervisionError(refused, 'problem');
    const r = await deps.problems.step(id, {
      kind: 'supervise',
      region: who.region,
      by: who.username,
      ...(deadline ? { deadline } : {}),
      ...(b.requirement ? { requirement: b.requirement } : {}),
      ...(b.note ? { note: b.note } : {}),
    });
    if (!r.ok) throw refusal(r);
    res.json({ problem: r.problem });
  });

  return router;
}
