import { Router } from 'express';
import type { ErrorCode } from '../../../shared/ack.ts';
import { focusBody } from '../../../shared/schemas/wall.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { WALL_COMMANDERS } from '../../../shared/roles.ts';
import { WallOrderError, type WallOrders } from '../../walls/orders.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';

const STATUS: Record<WallOrderError['code'], number> = {
  wall_not_found: 404,
  wall_out_of_scope: 403,
  target_out_of_scope: 403,
  order_expired: 410,
  replay_out_of_range: 400,
  not_found: 404,
  unknown_region: 404,
  conflict: 409,
  bad_request: 400,
};

/**
 * The walls core's refusal as the HTTP error the console explains. An `until` already past is a
 * bad request (400); releasing an order that ran out is asking for something gone (410).
 */
function refusal(err: unknown, overrides: Partial<Record<WallOrderError['code'], number>> = {}): unknown {
  if (!(err instanceof WallOrderError)) return err;
  const status = overrides[err.code] ?? STATUS[err.code];
  return new HttpError(status, err.code satisfies ErrorCode, err.message, err.details);
}

/**
 * Named walls and 一键上墙 (DESIGN.md "Walls and replay"): the walls up in the caller's subtree,
 * and orders that put a region, an alert, a 重点问题 or a replay moment up on walls and release them. Duty officers and
 * commanders only (admins see the list); every wall and the target are checked against the
 * caller's area and each wall's viewer's.
 */
export function wallsRouter(deps: { tokens: Tokens; orders: WallOrders }): Router {
  const router = Router();
  const commander = requireUser(deps.tokens, WALL_COMMANDERS);
  const by = (res: Parameters<typeof principal>[0]) => {
    const p = principal(res);
    return { username: p.username, region: p.region };
  };

  router.get('/walls', requireUser(deps.tokens, [...WALL_COMMANDERS, 'admin']), async (_req, res) => {
    res.json({ walls: await deps.orders.views(principal(res).region) });
  });

  router.post('/walls/focus', commander, async (req, res) => {
    const b = parse(focusBody, req.body ?? {}, 'body');
    const refs = { ...(b.walls ? { walls: b.walls } : {}), ...(b.group ? { group: b.group } : {}) };
    try {
      if (b.release) return void res.json({ released: await deps.orders.release(by(res), refs) });
      const order = await deps.orders.give(by(res), {
        ...refs,
        target: b.target!,
        ...(b.until ? { until: b.until } : {}),
      });
      res.status(201).json({ order });
    } catch (err) {
      throw refusal(err, { order_expired: 400 });
    }
  });

  router.delete('/walls/orders/:id', commander, async (req, res) => {
    const id = String(req.params.id);
    if (!/^o-[0-9a-f]{16}$/.test(id)) throw new HttpError(400, 'bad_request', 'not an order id');
    try {
      res.json({ released: await deps.orders.releaseOrder(by(res), id) });
    } catch (err) {
      throw refusal(err);
    }
  });

  return router;
}
