import { Router, type Response } from 'express';
import { ALERT_ACTIONS, OPEN_ALERT_STATES, type AlertAction } from '../../../shared/alert-machine.ts';
import { ACTION_BODIES, listQuery, silenceBody } from '../../../shared/schemas/alert-actions.ts';
import type { AlertView } from '../../../shared/schemas/alert.ts';
import { RULES } from '../../../shared/schemas/alert.ts';
import { isWithin } from '../../../shared/regions.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { ALERT_ACTORS, inScope } from '../../auth/scope.ts';
import type { Alerts } from '../../alerts/service.ts';
import type { ActResult } from '../../alerts/store.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { maskAlert } from '../../privacy/mask.ts';
import { regionParam } from './regions.ts';

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
export function alertsRouter(deps: { alerts: Alerts; tokens: Tokens; tree: RegionTree }): Router {
  const router = Router();
  const reader = requireUser(deps.tokens);
  const actor = requireUser(deps.tokens, ALERT_ACTORS);

  async function readable(id: string, res: Response): Promise<AlertView> {
    const a = await deps.alerts.store.view(id);
    if (!a) throw new HttpError(404, 'not_found', 'no such alert');
    if (!inScope(principal(res), a.region))
      throw new HttpError(403, 'out_of_scope', `alert ${id} is outside your area`);
    return a;
  }

  router.get('/alerts', reader, async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    let alerts: AlertView[];
    if (q.desk) {
      regionParam(deps.tree, q.desk, res);
      alerts = await deps.alerts.atDesk(q.desk);
    } else {
      const region = regionParam(deps.tree, q.region ?? principal(res).region, res);
      const bucket = q.state === 'resolved' || q.state === 'closed' ? q.state : 'open';
      alerts = await deps.alerts.list(region, bucket);
    }
    if (q.state !== 'open') alerts = alerts.filter((a) => a.state === q.state);
    else alerts = alerts.filter((a) => OPEN_ALERT_STATES.includes(a.state));
    // Times are ISO 8601 +08:00, so their first ten characters are the Beijing day.
    const { rule, from, to } = q;
    if (rule) alerts = alerts.filter((a) => a.rule === rule);
    if (from) alerts = alerts.filter((a) => a.createdAt.slice(0, 10) >= from);
    if (to) alerts = alerts.filter((a) => a.createdAt.slice(0, 10) <= to);
    // A public screen's account gets titles masked, as on its socket (server/privacy/mask.ts).
    res.json({ alerts: principal(res).publicMode ? alerts.map(maskAlert) : alerts });
  });

  router.get('/alerts/:id', reader, async (req, res) => {
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
    const body = parse(ACTION_BODIES[action], req.body ?? {}, 'body');
    const id = String(req.params.id);
    const a = await readable(id, res);
    const p = principal(res);
    if (action === 'supervise' && !(isWithin(a.desk, p.region) && a.desk !== p.region))
      throw new HttpError(403, 'forbidden', '督办 is set by a level above the alert’s desk');
    if (action !== 'note' && !inScope(p, a.desk))
      throw new HttpError(403, 'out_of_scope', `alert ${id} is at desk ${a.desk}, outside your area`);
    const r = await deps.alerts.act(id, {
      action,
      actor: p.username,
      scope: p.region,
      ...('note' in body && body.note ? { note: body.note } : {}),
      ...('departments' in body ? { departments: body.departments } : {}),
      ...('department' in body ? { department: body.department } : {}),
      ...('override' in body && body.override ? { override: body.override } : {}),
    });
    if (!r.ok) throw refusal(action, r);
    res.json({ alert: r.alert });
  });

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
