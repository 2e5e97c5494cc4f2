import type { RequestHandler, Response } from 'express';
import { ROLES, type Role } from '../../shared/roles.ts';
import type { Principal, Tokens } from '../auth/tokens.ts';
import { HttpError } from './errors.ts';

/** The principal of an authenticated request (set by `requireUser`). */
export function principal(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * Every role but `department`: a department account sees only its tasks (no wall, no region data),
 * so a route that names no roles is closed to it, and the routes it may use say so.
 */
const READERS: readonly Role[] = ROLES.filter((r) => r !== 'department');

/** Requires a valid user token, and one of `roles` (by default: any but `department`). */
export function requireUser(tokens: Tokens, roles: readonly Role[] = READERS): RequestHandler {
  return async (req, res, next) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const p = m ? await tokens.verify(m[1]!) : undefined;
    if (!p)
      return next(
        new HttpError(
          401,
          'unauthenticated',
          m ? 'token invalid, expired or revoked' : 'missing Authorization: Bearer <token>',
        ),
      );
    if (!roles.includes(p.role)) return next(new HttpError(403, 'forbidden', `role ${p.role} may not do this`));
    res.locals.principal = p;
    next();
  };
}
