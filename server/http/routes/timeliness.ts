import type { RedisClient } from '../../redis/connection.ts';
import { Router } from 'express';
import { levelOf } from '../../../shared/regions.ts';
import { timelinessQuerySchema, type TimelinessReply } from '../../../shared/schemas/timeliness.ts';
import type { Clock } from '../../clock.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { asKeyRing, type KeyRing, type Keys } from '../../redis/keys.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { currentMonth, fromWire, oldestKept, toWire } from '../../safety-index/months.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { readTimeliness, TIMELINESS_FORMULA } from '../../assessment/report-timeliness.ts';
import type { TimelinessConfig } from '../../warnings/config.ts';
import { requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';

/**
 * `GET /api/v1/timeliness/:code?month=YYYY-MM`: a region's 上报及时率 for a Beijing month (the
 * current one by default), province down to township, inside the caller's subtree only — the same
 * check as every region route (regionParam).
 */
export function timelinessRouter(deps: {
  tree: RegionTree;
  tokens: Tokens;
  redis: RedisClient;
  keys: Keys | KeyRing;
  clock: Clock;
  config: TimelinessConfig;
}): Router {
  const router = Router();
  const ring = asKeyRing(deps.keys);
  router.get('/timeliness/:code', requireUser(deps.tokens), async (req, res) => {
    const code = regionParam(deps.tree, String(req.params.code), res);
    const query = parse(timelinessQuerySchema, req.query, 'query');
    if (code.length > 9)
      throw new HttpError(404, 'not_found', `上报及时率 is kept for townships and above, not ${code}`);
    const now = deps.clock.now();
    const current = currentMonth(now);
    const oldest = oldestKept(now);
    const month = query.month ? fromWire(query.month) : current;
    if (month < oldest || month > current) {
      const range = `${toWire(oldest)} … ${toWire(current)}`;
      throw new HttpError(400, 'bad_request', 'invalid query', { errors: [`month: must be within ${range}`] });
    }
    const parts = levelOf(code) === 'nation' ? deps.tree.provinces : [code];
    const figures = await readTimeliness(deps.redis, (r) => ring.of(r), code, month, parts);
    const reply: TimelinessReply = {
      region: { code, name: deps.tree.get(code)?.name ?? code, level: levelOf(code)! },
      month: toWire(month),
      provisional: month === current,
      ...figures,
      limitMinutes: { ...deps.config.limitMinutes },
      formula: TIMELINESS_FORMULA,
      asOf: isoBeijing(now),
    };
    res.json(reply);
  });
  return router;
}
