import { Router } from 'express';
import type { Tokens } from '../../auth/tokens.ts';
import type { RegionTree } from '../../regions/tree.ts';
import type { AuditLog } from '../../audit/log.ts';
import { principal, requireUser } from '../authenticate.ts';
import { regionParam } from './regions.ts';

/** `GET /api/v1/audit?region=&limit=`: the newest entries of the trail about a subtree (admin). */
export function auditRouter(deps: { audit: AuditLog; tokens: Tokens; tree: RegionTree }): Router {
  const router = Router();
  router.get('/audit', requireUser(deps.tokens, ['admin']), async (req, res) => {
    const region = regionParam(
      deps.tree,
      typeof req.query.region === 'string' ? req.query.region : principal(res).region,
      res,
    );
    const limit = Math.min(Number(req.query.limit) || 100, 500);
    // The root's admins also see what concerns no region (failed logins of unknown names).
    res.json(await deps.audit.recent({ limit, ...(region === deps.tree.root ? {} : { within: region }) }));
  });
  return router;
}
