import { Router } from 'express';
import type { RegionTree } from '../../regions/tree.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { Snapshot } from '../../../shared/schemas/snapshot.ts';
import { isRegionCode } from '../../../shared/regions.ts';
import { inScope } from '../../auth/scope.ts';
import { principal, requireUser } from '../authenticate.ts';
import { ROLES } from '../../../shared/roles.ts';
import { HttpError } from '../errors.ts';
import { maskSnapshot } from '../../privacy/mask.ts';
import { snapshotQuerySchema } from '../../../shared/schemas/replay.ts';
import { parse } from '../parse.ts';
import { replayAt } from './replay-moment.ts';

/** Checks a region parameter: well-formed, known, and inside the caller's subtree. */
export function regionParam(tree: RegionTree, code: string, res: Parameters<typeof principal>[0]): string {
  if (!isRegionCode(code)) throw new HttpError(400, 'bad_request', `not a region code: ${code.slice(0, 20)}`);
  if (!tree.has(code)) throw new HttpError(404, 'unknown_region', `unknown region ${code}`);
  if (!inScope(principal(res), code)) throw new HttpError(403, 'out_of_scope', `region ${code} is outside your area`);
  return code;
}

export function regionsRouter(deps: {
  tree: RegionTree;
  tokens: Tokens;
  snapshot: (code: string) => Promise<Snapshot | undefined>;
  /** The snapshot as it was at a past moment (server/replay/read.ts). */
  replay: (code: string, at: number) => Promise<Snapshot | undefined>;
  now: () => number;
}): Router {
  const router = Router();
  const auth = requireUser(deps.tokens);
  // Names and the tree's shape only, no figures: a department's page names the places of its tasks.
  const anyRole = requireUser(deps.tokens, ROLES);
  router.get('/regions/:code', anyRole, (req, res) => {
    const code = regionParam(deps.tree, String(req.params.code), res);
    res.json(deps.tree.info(code));
  });
  router.get('/snapshot/:code', auth, async (req, res) => {
    const code = regionParam(deps.tree, String(req.params.code), res);
    const { at } = parse(snapshotQuerySchema, req.query, 'query');
    const snap = at === undefined ? await deps.snapshot(code) : await replayAt(deps, code, at);
    // A public screen gets alert titles masked, here as on its socket.
    res.json(snap && principal(res).publicMode ? maskSnapshot(snap) : snap);
  });
  return router;
}
