import { Router } from 'express';
import { newUserSchema } from '../../../shared/schemas/user.ts';
import type { Users } from '../../auth/users.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { inScope } from '../../auth/scope.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';

export function usersRouter(deps: { users: Users; tokens: Tokens; tree: RegionTree }): Router {
  const router = Router();
  router.post('/users', requireUser(deps.tokens, ['admin']), async (req, res) => {
    const u = parse(newUserSchema, req.body, 'user');
    if (!deps.tree.has(u.region)) throw new HttpError(400, 'unknown_region', `unknown region ${u.region}`);
    if (!inScope(principal(res), u.region)) throw new HttpError(403, 'out_of_scope', `region ${u.region} is outside your area`);
    if (!(await deps.users.create(u))) throw new HttpError(409, 'conflict', `user ${u.username} exists`);
    res.status(201).json({ username: u.username.toLowerCase(), role: u.role, region: u.region });
  });
  return router;
}
