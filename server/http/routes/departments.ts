import { Router } from 'express';
import { ROLES } from '../../../shared/roles.ts';
import {
  departmentListQuery,
  newDepartmentBody,
  taskListQuery,
  type Task,
  type TaskState,
} from '../../../shared/schemas/department.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import {
  supervisionListQuery,
  type ProblemSupervisionItem,
  type SupervisionItem,
} from '../../../shared/schemas/supervision.ts';
import type { Problems } from '../../problems/service.ts';
import type { Alerts } from '../../alerts/service.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { DepartmentRegistry } from '../../departments/registry.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';

function taskState(a: AlertView, department: string): TaskState {
  const d = a.departments?.find((x) => x.id === department);
  return d?.feedback ? 'done' : d?.checkedInAt ? 'active' : 'pending';
}

/**
 * The department registry, a department's tasks, and a level's 挂牌督办 list (DESIGN.md
 * "Departments and supervision"); each route checks the role and the region.
 */
export function departmentsRouter(deps: {
  departments: DepartmentRegistry;
  alerts: Alerts;
  /** 挂牌督办 of problems joins the same list. */
  problems: Pick<Problems, 'supervisedBy'>;
  tokens: Tokens;
  tree: RegionTree;
}): Router {
  const router = Router();

  router.get('/departments', requireUser(deps.tokens, [...ROLES]), async (req, res) => {
    const q = parse(departmentListQuery, req.query, 'query');
    const region = regionParam(deps.tree, q.region ?? principal(res).region, res);
    res.json({ departments: await deps.departments.callable(region) });
  });

  router.post('/departments', requireUser(deps.tokens, ['admin']), async (req, res) => {
    const b = parse(newDepartmentBody, req.body ?? {}, 'body');
    regionParam(deps.tree, b.region, res);
    res.status(201).json({ department: await deps.departments.add(b) });
  });

  router.get('/tasks', requireUser(deps.tokens, ['department']), async (req, res) => {
    const q = parse(taskListQuery, req.query, 'query');
    const dep = principal(res).department;
    if (!dep) throw new HttpError(403, 'forbidden', 'the account is bound to no department');
    const tasks: Task[] = (await deps.alerts.tasks(dep))
      .map((alert) => ({ state: taskState(alert, dep), department: dep, alert }))
      .filter((t) => !q.state || t.state === q.state);
    res.json({ tasks });
  });

  router.get('/supervision', requireUser(deps.tokens), async (req, res) => {
    const q = parse(supervisionListQuery, req.query, 'query');
    const region = regionParam(deps.tree, q.region ?? principal(res).region, res);
    const items: (SupervisionItem | ProblemSupervisionItem)[] = (await deps.alerts.supervisedBy(region)).map(
      (alert) => ({
        alert,
        state: alert.state,
        overdue: alert.supervision?.overdue ?? false,
        ...(alert.supervision?.deadline ? { deadline: alert.supervision.deadline } : {}),
        ...(alert.supervision?.requirement ? { requirement: alert.supervision.requirement } : {}),
      }),
    );
    for (const problem of await deps.problems.supervisedBy(region))
      items.push({
        problem,
        state: problem.state,
        overdue: problem.supervision?.overdue ?? false,
        ...(problem.supervision?.deadline ? { deadline: problem.supervision.deadline } : {}),
        ...(problem.supervision?.requirement ? { requirement: problem.supervision.requirement } : {}),
      });
    // Overdue first, then soonest deadline (none last); ISO times of one offset sort as text.
    const NONE = '\uffff';
    items.sort(
      (a, b) => Number(b.overdue) - Number(a.overdue) || (a.deadline ?? NONE).localeCompare(b.deadline ?? NONE),
    );
    res.json({ items });
  });

  return router;
}
