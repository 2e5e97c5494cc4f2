import { Router, type Response } from 'express';
import { ALERT_ACTIONS, OPEN_ALERT_STATES, type AlertAction } from '../../../shared/alert-machine.ts';
import { ACTION_BODIES, listQuery, silenceBody } from '../../../shared/schemas/alert-actions.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import { RULES } from '../../../shared/schemas/alert.ts';
import { isWithin } from '../../../shared/regions.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { TASK_ACTORS, inScope } from '../../auth/scope.ts';
import { ROLES } from '../../../shared/roles.ts';
import { TASK_ACTIONS } from '../../../shared/alert-machine.ts';
import type { DepartmentView } from '../../../shared/schemas/alert.ts';
import type { WarningLevel } from '../../../shared/vocab.ts';
import type { DepartmentRegistry } from '../../departments/registry.ts';
import { LIST_CAP, type Alerts } from '../../alerts/service.ts';
import type { ActInput, ActResult, DispatchTarget } from '../../alerts/store.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { supervisionError } from '../supervision-refusal.ts';
import { supervisionRefusal } from '../../supervision/rules.ts';
import { maskAlert } from '../../privacy/mask.ts';
import { regionParam } from './regions.ts';
import { tooManyRows } from './export-limit.ts';
import { alertExportQuery, EXPORT_ROW_LIMIT } from '../../../shared/schemas/export.ts';
import { alertTable } from '../../exports/alerts.ts';
import { sendTables } from '../../exports/table.ts';
import type { z } from 'zod';

/** Who may silence a rule: it hides warnings from everyone below, so not every duty officer. */
const SILENCERS = ['commander', 'admin'] as const;

/** The refusal of the state machine as an HTTP error the console can explain. */
function refusal(action: AlertAction, r: Exclude<ActResult, { ok: true }>): HttpError {
  if (r.reason === 'not_found') return new HttpError(404, 'not_found', 'no such alert');
  const a = r.alert;
  const details = { action, state: a.state, ...(a.signedBy ? { signedBy: a.signedBy, signedAt: a.signedAt } : {}) };
  switch (r.reason) {
    case 'out_of_scope':
      return new HttpError(403, 'out_of_scope', `alert ${a.id} is at desk ${a.desk}, outside your area`, details);
    case 'top':
      return new HttpError(409, 'illegal_transition', 'the alert is already at the top desk', details);
    case 'already_dispatched':
      return new HttpError(409, 'conflict', 'already dispatched to every department named', details);
    case 'no_department':
      return new HttpError(409, 'illegal_transition', 'the alert was not dispatched to that department', details);
    case 'checked_in':
      return new HttpError(409, 'conflict', 'that department has already checked in', details);
    case 'not_checked_in': {
      const unreported = (a.departments ?? []).filter((d) => !d.checkedInAt).map((d) => d.name);
      return new HttpError(
        409,
        'conflict',
        `departments not checked in: ${unreported.join('、')}; give a reason (override) to resolve anyway`,
        { ...details, unreported },
      );
    }
    case 'dep_not_checked_in':
      return new HttpError(409, 'not_checked_in', 'the department has not reported in (报到) yet', details);
    case 'fed_back':
      return new HttpError(409, 'conflict', 'that department has already fed back', details);
    case 'supervised':
      return new HttpError(409, 'conflict', 'the alert is already supervised', details);
    default:
      // Someone signed first: say who, so the loser of a race knows whom to ask.
      if (action === 'ack' && a.signedBy)
        return new HttpError(409, 'conflict', `already signed by ${a.signedBy}`, details);
      return new HttpError(409, 'illegal_transition', `cannot ${action} an alert that is ${a.state}`, details);
  }
}

/**
 * Alert work (DESIGN.md "Outside surfaces"): list, read, and one POST per action. Every route
 * checks the role (walls only read) and the scope: reading needs the alert's region inside the
 * caller's subtree, acting needs its desk there, 督办 needs the caller above the desk.
 */
export function alertsRouter(deps: {
  alerts: Alerts;
  tokens: Tokens;
  tree: RegionTree;
  departments: Pick<DepartmentRegistry, 'callable'>;
  /** Time a dispatched department has to report in, by the alert's level (rules file `reportMinutes`). */
  reportLimitMs: (level: WarningLevel) => number;
}): Router {
  const router = Router();
  const reader = requireUser(deps.tokens);
  const actor = requireUser(deps.tokens, TASK_ACTORS);
  const taskReader = requireUser(deps.tokens, [...ROLES]);

  async function readable(id: string, res: Response): Promise<AlertView> {
    const a = await deps.alerts.store.view(id);
    if (!a) throw new HttpError(404, 'not_found', 'no such alert');
    const p = principal(res);
    if (!inScope(p, a.region)) throw new HttpError(403, 'out_of_scope', `alert ${id} is outside your area`);
    // A department reads only what was dispatched to it.
    if (p.role === 'department' && !a.departments?.some((d) => d.id === p.department))
      throw new HttpError(403, 'not_your_task', `alert ${id} was not dispatched to your department`);
    return a;
  }

  /** The list the duty console shows for these filters (its queue, or a region's alerts by state). */
  async function listed(
    q: z.output<typeof listQuery>,
    res: Response,
    cap = LIST_CAP,
  ): Promise<{ alerts: AlertView[]; read: number }> {
    let alerts: AlertView[];
    if (q.desk) {
      regionParam(deps.tree, q.desk, res);
      // 挂牌督办 past its deadline goes to the top of the supervising level's own queue.
      const overdue = (await deps.alerts.overdueSupervised(q.desk, cap)).filter((a) => a.supervision?.overdue);
      const ids = new Set(overdue.map((a) => a.id));
      alerts = [...overdue, ...(await deps.alerts.atDesk(q.desk, cap)).filter((a) => !ids.has(a.id))];
    } else {
      const region = regionParam(deps.tree, q.region ?? principal(res).region, res);
      const bucket = q.state === 'resolved' || q.state === 'closed' ? q.state : 'open';
      alerts = await deps.alerts.list(region, bucket, cap);
    }
    const read = alerts.length;
    if (q.state !== 'open') alerts = alerts.filter((a) => a.state === q.state);
    else alerts = alerts.filter((a) => OPEN_ALERT_STATES.includes(a.state));
    // Times are ISO 8601 +08:00, so their first ten characters are the Beijing day.
    const { rule, from, to } = q;
    if (rule) alerts = alerts.filter((a) => a.rule === rule);
    if (from) alerts = alerts.filter((a) => a.createdAt.slice(0, 10) >= from);
    if (to) alerts = alerts.filter((a) => a.createdAt.slice(0, 10) <= to);
    // A public screen's account gets titles masked, as on its socket (server/privacy/mask.ts).
    return { alerts: principal(res).publicMode ? alerts.map(maskAlert) : alerts, read };
  }

  router.get('/alerts', reader, async (req, res) => {
    const { alerts } = await listed(parse(listQuery, req.query, 'query'), res);
    res.json({ alerts });
  });

  // Before /alerts/:id, which would take `export` for an id.
  router.get('/alerts/export', reader, async (req, res) => {
    const { format, ...q } = parse(alertExportQuery, req.query, 'query');
    // One more than the limit is read: a list that filled it may go on, and is refused, not cut.
    const { alerts, read } = await listed(q, res, EXPORT_ROW_LIMIT + 1);
    if (read > EXPORT_ROW_LIMIT) throw tooManyRows(alerts.length, true);
    const place = q.desk ?? q.region ?? principal(res).region;
    const name = (c: string) => deps.tree.get(c)?.name ?? c;
    await sendTables(res, format, `${name(place)}预警清单`, [alertTable(alerts, name)]);
  });

  router.get('/alerts/:id', taskReader, async (req, res) => {
    const id = String(req.params.id);
    // The detail holds event summaries, notes and officers' names: nothing for a visitors' screen.
    if (principal(res).publicMode) throw new HttpError(403, 'forbidden', 'alert details are not shown in public mode');
    await readable(id, res);
    const detail = await deps.alerts.store.detail(id);
    if (!detail) throw new HttpError(404, 'not_found', 'no such alert');
    res.json(detail);
  });

  router.post('/alerts/:id/:action', actor, async (req, res) => {
    const action = String(req.params.action) as AlertAction;
    if (!ALERT_ACTIONS.includes(action))
      throw new HttpError(404, 'not_found', `no alert action ${action.slice(0, 20)}`);
    const p = principal(res);
    if (p.role === 'department' && !TASK_ACTIONS.includes(action))
      throw new HttpError(403, 'forbidden', `role department may not ${action}`);
    if (action === 'assist' && p.role !== 'department')
      throw new HttpError(403, 'forbidden', '请求协办 is asked by the department itself');
    const body = parse(ACTION_BODIES[action], req.body ?? {}, 'body');
    if (p.role === 'department' && 'department' in body && body.department !== p.department)
      throw new HttpError(403, 'not_your_department', 'a department acts for itself only');
    const id = String(req.params.id);
    const a = await readable(id, res);
    if (action === 'supervise') {
      const refused = supervisionRefusal(a.desk, p.region, undefined, 0);
      if (refused) throw supervisionError(refused, 'alert');
    }
    if (action !== 'note' && !inScope(p, a.desk))
      throw new HttpError(403, 'out_of_scope', `alert ${id} is at desk ${a.desk}, outside your area`);
    if (action === 'close' && a.supervision && !isWithin(a.supervision.region, p.region))
      throw new HttpError(403, 'supervisor_verifies', `核验 of a supervised alert is done by ${a.supervision.region}`);
    const extra = await actionInput(action, body, a, res);
    const r = await deps.alerts.act(id, {
      action,
      actor: p.username,
      scope: p.region,
      ...('note' in body && body.note ? { note: body.note } : {}),
      ...('override' in body && body.override ? { override: body.override } : {}),
      ...extra,
    });
    if (!r.ok) throw refusal(action, r);
    res.json({ alert: r.alert });
  });

  /** What the step needs beyond the body: resolved departments, the task's department, the 督办 level. */
  async function actionInput(
    action: AlertAction,
    body: Record<string, unknown>,
    a: AlertView,
    res: Response,
  ): Promise<Partial<ActInput>> {
    const p = principal(res);
    const now = deps.alerts.store.now();
    if (action === 'dispatch') {
      const names = body.departments as string[];
      const callable = await deps.departments.callable(a.desk);
      const reportBy = now + deps.reportLimitMs(a.level);
      const targets = names.map((entry): DispatchTarget => {
        const d = callable.find((x) => x.id === entry) ?? callable.find((x) => x.name === entry);
        return d ? { key: d.id, id: d.id, name: d.name, reportBy } : { key: entry, name: entry, adhoc: true, reportBy };
      });
      return { departments: targets.map((t) => t.name), targets };
    }
    if (action === 'supervise') {
      const deadline = body.deadline ? Date.parse(body.deadline as string) : undefined;
      const refused = supervisionRefusal(a.desk, p.region, deadline, now);
      if (refused) throw supervisionError(refused, 'alert');
      return {
        supervision: {
          region: p.region,
          ...(deadline ? { deadline } : {}),
          ...(body.requirement ? { requirement: body.requirement as string } : {}),
        },
      };
    }
    if (!TASK_ACTIONS.includes(action)) return {};
    const named = body.department as string | undefined;
    let d: DepartmentView | undefined;
    if (p.role === 'department') {
      d = a.departments?.find((x) => x.id === p.department);
    } else {
      if (named === undefined)
        throw new HttpError(400, 'bad_request', 'department: name the department you record for', {
          errors: ['department: required when a desk records for a department'],
        });
      d = a.departments?.find((x) => x.id === named || x.name === named);
      if (!d) throw refusal(action, { ok: false, reason: 'no_department', alert: a });
    }
    if (!d) throw new HttpError(403, 'not_your_task', 'the alert was not dispatched to your department');
    const key = d.id ?? d.name;
    return {
      department: d.name,
      step: {
        key,
        ...(p.role !== 'department' ? { onBehalf: true } : {}),
        ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
        ...(typeof body.text === 'string' ? { text: body.text } : {}),
        ...(typeof body.result === 'string' ? { result: body.result } : {}),
      },
    };
  }

  router.get('/silences', reader, async (req, res) => {
    const region = regionParam(
      deps.tree,
      typeof req.query.region === 'string' ? req.query.region : principal(res).region,
      res,
    );
    res.json({ silences: await deps.alerts.silences.list(region) });
  });

  router.post('/silences', requireUser(deps.tokens, SILENCERS), async (req, res) => {
    const b = parse(silenceBody, req.body ?? {}, 'body');
    regionParam(deps.tree, b.region, res);
    const s = await deps.alerts.silence({
      rule: b.rule,
      region: b.region,
      reason: b.reason,
      by: principal(res).username,
      minutes: b.minutes,
    });
    res.status(201).json({ silence: s });
  });

  router.delete('/silences/:rule/:region', requireUser(deps.tokens, SILENCERS), async (req, res) => {
    const rule = String(req.params.rule);
    if (!(RULES as readonly string[]).includes(rule)) throw new HttpError(400, 'bad_request', 'unknown rule');
    const region = regionParam(deps.tree, String(req.params.region), res);
    if (!(await deps.alerts.unsilence(rule, region, principal(res).username)))
      throw new HttpError(404, 'not_found', 'no such silence');
    res.status(204).end();
  });

  return router;
}
