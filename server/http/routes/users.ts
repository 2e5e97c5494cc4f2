import { Router, type Response } from 'express';
import {
  newUserSchema,
  passwordResetSchema,
  userPatchSchema,
  usernameSchema,
  type AdminUserView,
  type CreatedUser,
} from '../../../shared/schemas/user.ts';
import type { Users, UserRecord } from '../../auth/users.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { RegionTree } from '../../regions/tree.ts';
import type { AuditLog } from '../../audit/log.ts';
import type { SessionEnder } from '../../realtime/sessions.ts';
import { inScope } from '../../auth/scope.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';
import type { DepartmentRegistry } from '../../departments/registry.ts';

export interface UsersRouterDeps {
  users: Users;
  tokens: Tokens;
  tree: RegionTree;
  audit: AuditLog;
  sessions: SessionEnder;
  departments: Pick<DepartmentRegistry, 'callable'>;
}

function view(u: UserRecord): AdminUserView {
  return {
    username: u.username,
    role: u.role,
    region: u.region,
    disabled: u.disabled ?? false,
    publicMode: u.publicMode,
    createdAt: u.createdAt,
    ...(u.department ? { department: u.department } : {}),
  };
}

/** Account administration; an admin manages the accounts of its own region's subtree only. */
export function usersRouter(deps: UsersRouterDeps): Router {
  const router = Router();
  const admin = requireUser(deps.tokens, ['admin']);

  /** The named account, when it exists and lies in the caller's subtree. */
  async function target(res: Response, name: string): Promise<UserRecord> {
    const username = parse(usernameSchema, name, 'username');
    const u = await deps.users.get(username);
    if (!u) throw new HttpError(404, 'not_found', `no user ${username}`);
    if (!inScope(principal(res), u.region))
      throw new HttpError(403, 'out_of_scope', `user ${username} is outside your area`);
    return u;
  }

  const record = (
    res: Response,
    action: string,
    u: { username: string; region: string },
    detail?: Record<string, string | boolean>,
  ) =>
    deps.audit.append({
      actor: principal(res).username,
      action,
      target: u.username,
      region: u.region,
      ...(detail ? { detail } : {}),
    });

  router.get('/users', admin, async (req, res) => {
    const root = regionParam(
      deps.tree,
      typeof req.query.region === 'string' ? req.query.region : principal(res).region,
      res,
    );
    res.json((await deps.users.list(root)).map(view));
  });

  router.post('/users', admin, async (req, res) => {
    const u = parse(newUserSchema, req.body, 'user');
    if (!deps.tree.has(u.region)) throw new HttpError(400, 'unknown_region', `unknown region ${u.region}`);
    if (!inScope(principal(res), u.region))
      throw new HttpError(403, 'out_of_scope', `region ${u.region} is outside your area`);
    // A department account is bound to a department its region's desks can call (its own or above).
    if (u.department && !(await deps.departments.callable(u.region)).some((d) => d.id === u.department))
      throw new HttpError(400, 'bad_request', `department ${u.department} is not in the registry of ${u.region}`, {
        errors: [`department: not in the registry of region ${u.region}`],
      });
    if (!(await deps.users.create(u))) throw new HttpError(409, 'conflict', `user ${u.username} exists`);
    const username = u.username.toLowerCase();
    await record(res, 'user.create', { username, region: u.region }, { role: u.role, publicMode: !!u.publicMode });
    const reply: CreatedUser = {
      username,
      role: u.role,
      region: u.region,
      publicMode: !!u.publicMode,
      ...(u.department ? { department: u.department } : {}),
    };
    res.status(201).json(reply);
  });

  router.patch('/users/:username', admin, async (req, res) => {
    const u = await target(res, String(req.params.username));
    const patch = parse(userPatchSchema, req.body, 'change');
    if (patch.disabled && u.username === principal(res).username)
      throw new HttpError(400, 'bad_request', 'an admin cannot disable its own account');
    const publicChanged = patch.publicMode !== undefined && patch.publicMode !== u.publicMode;
    const disabledChanged = patch.disabled !== undefined && patch.disabled !== u.disabled;
    if (publicChanged) {
      await deps.users.setPublicMode(u.username, patch.publicMode!);
      await record(res, 'user.public_mode', u, { publicMode: patch.publicMode! });
    }
    if (disabledChanged) {
      await deps.users.setDisabled(u.username, patch.disabled!);
      await record(res, patch.disabled ? 'user.disable' : 'user.enable', u);
    }
    if (disabledChanged && patch.disabled) deps.sessions.endUser(u.username, 'disabled');
    // Public mode is read at the socket handshake: screens that reconnect pick the new setting up.
    else if (publicChanged) deps.sessions.reconnectUser(u.username);
    res.json(view((await deps.users.get(u.username))!));
  });

  router.post('/users/:username/password', admin, async (req, res) => {
    const u = await target(res, String(req.params.username));
    const { password } = parse(passwordResetSchema, req.body, 'password');
    await deps.users.setPassword(u.username, password);
    await record(res, 'user.password_reset', u);
    deps.sessions.endUser(u.username, 'password_changed');
    res.status(204).end();
  });

  /** Forced sign-out: every token of the user stops working and its screens are disconnected. */
  router.post('/users/:username/logout', admin, async (req, res) => {
    const u = await target(res, String(req.params.username));
    await deps.users.endSessions(u.username);
    await record(res, 'user.logout', u);
    deps.sessions.endUser(u.username, 'revoked');
    res.status(204).end();
  });

  return router;
}
