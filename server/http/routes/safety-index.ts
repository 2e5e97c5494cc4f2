import { Router } from 'express';
import { indexQuerySchema } from '../../../shared/schemas/safety-index.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { RegionTree } from '../../regions/tree.ts';
import type { SafetyIndex } from '../../safety-index/service.ts';
import { fromWire, toWire } from '../../safety-index/months.ts';
import { requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';

/** `GET /api/v1/index/:code?month=YYYY-MM` (DESIGN.md "Outside surfaces"): the 平安指数 of a region. */
export function safetyIndexRouter(deps: { tree: RegionTree; tokens: Tokens; index: SafetyIndex }): Router {
  const router = Router();
  router.get('/index/:code', requireUser(deps.tokens), async (req, res) => {
    const code = regionParam(deps.tree, String(req.params.code), res);
    const query = parse(indexQuerySchema, req.query, 'query');
    const { oldest, current } = deps.index.offered();
    const month = query.month ? fromWire(query.month) : current;
    if (month < oldest || month > current) {
      const range = `${toWire(oldest)} … ${toWire(current)}`;
      throw new HttpError(400, 'bad_request', `invalid query`, { errors: [`month: must be within ${range}`] });
    }
    const reply = await deps.index.reply(code, month);
    if (!reply) throw new HttpError(404, 'not_found', `no data for ${toWire(month)}`);
    res.json(reply);
  });
  return router;
}
