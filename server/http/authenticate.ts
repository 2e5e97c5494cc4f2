import type { RequestHandler, Response } from 'express';
import type { Role } from '../../shared/schemas/user.ts';
import type { Principal, Tokens } from '../auth/tokens.ts';
import { HttpError } from './errors.ts';

/** The principal of an authenticated request (set by `requireUser`). */
export function principal(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Requires a valid user token, and one of `roles` when given. */
export function requireUser(tokens: Tokens, roles?: readonly Role[]): RequestHandler {
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
    if (roles && !roles.includes(p.role))
      return next(new HttpError(403, 'forbidden', `role ${p.role} may not do this`));
    res.locals.principal = p;
    next();
  };
}
