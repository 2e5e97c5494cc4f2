import { Router } from 'express';
import { loginSchema, type LoginReply } from '../../../shared/schemas/user.ts';
import type { Users } from '../../auth/users.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';

export function authRouter(deps: { users: Users; tokens: Tokens }): Router {
  const router = Router();
  router.post('/auth/login', async (req, res) => {
    const { username, password } = parse(loginSchema, req.body, 'login');
    const user = await deps.users.authenticate(username, password);
    if (!user) throw new HttpError(401, 'unauthenticated', 'wrong username or password');
    const { token, expiresAt } = await deps.tokens.issue(user);
    const reply: LoginReply = {
      token,
      user: { username: user.username, role: user.role, region: user.region },
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
    res.json(reply);
  });
  return router;
}
