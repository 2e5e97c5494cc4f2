import { Router, type RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { ROLES, loginSchema, type LoginReply } from '../../../shared/schemas/user.ts';
import type { Users } from '../../auth/users.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { AuditLog } from '../../audit/log.ts';
import type { LoginFailures } from '../../audit/login-failures.ts';
import { HashGateRefused, type HashGate } from '../../auth/hash-gate.ts';
import type { SessionEnder } from '../../realtime/sessions.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';

export interface AuthRouterDeps {
  users: Users;
  tokens: Tokens;
  audit: AuditLog;
  sessions: SessionEnder;
  /** Runs before the password is checked (rate limit on failed logins). */
  loginLimiter?: RequestHandler;
  /** The line every password check waits in, so a spray cannot starve other clients' logins. */
  hashGate: HashGate;
  /** Failed logins, summed per address into the audit trail. */
  loginFailures: LoginFailures;
}

export function authRouter(deps: AuthRouterDeps): Router {
  const router = Router();
  const limiter: RequestHandler = deps.loginLimiter ?? ((_req, _res, next) => next());

  router.post('/auth/login', limiter, async (req, res) => {
    const { username, password } = parse(loginSchema, req.body, 'login');
    const client = ipKeyGenerator(req.ip ?? '');
    let user: Awaited<ReturnType<Users['authenticate']>>;
    try {
      user = await deps.hashGate.run(client, () => deps.users.authenticate(username, password));
    } catch (err) {
      if (!(err instanceof HashGateRefused)) throw err;
      res.set('Retry-After', String(err.retryAfterS));
      throw err.reason === 'client'
        ? new HttpError(
            429,
            'rate_limited',
            `too many logins from this address at once; try again in ${err.retryAfterS} s`,
          )
        : new HttpError(503, 'unavailable', `too many logins at once; try again in ${err.retryAfterS} s`);
    }
    if (!user) {
      await deps.loginFailures.record(req.ip ?? '', username);
      throw new HttpError(401, 'unauthenticated', 'wrong username or password');
    }
    const { token, expiresAt } = await deps.tokens.issue(user);
    await deps.audit.append({
      actor: user.username,
      action: 'auth.login',
      region: user.region,
      detail: { ip: req.ip ?? '' },
    });
    const reply: LoginReply = {
      token,
      user: {
        username: user.username,
        role: user.role,
        region: user.region,
        ...(user.department ? { department: user.department } : {}),
      },
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
    res.json(reply);
  });

  /** Revokes the caller's own token and closes the screens that use it. */
  router.post('/auth/logout', requireUser(deps.tokens, ROLES), async (_req, res) => {
    const p = principal(res);
    await deps.tokens.revoke(p.tokenId, p.expiresAt);
    await deps.audit.append({ actor: p.username, action: 'auth.logout', region: p.region });
    deps.sessions.endToken(p.tokenId, 'logged_out');
    res.status(204).end();
  });

  return router;
}
