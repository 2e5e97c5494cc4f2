import { Router } from 'express';
import type { RegionTree } from '../../regions/tree.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { replayEventsQuerySchema, type ReplayEventsReply } from '../../../shared/schemas/replay.ts';
import type { ReplayEvent } from '../../../shared/schemas/replay.ts';
import { isoBeijing } from '../../time/beijing.ts';
import { maskTickerItem } from '../../privacy/mask.ts';
import { principal, requireUser } from '../authenticate.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';
import { checkMoment } from './replay-moment.ts';

/**
 * `GET /api/v1/replay/:code/events?from=&to=` (DESIGN.md "Walls and replay"): the ticker's events
 * of a past window, for a wall playing a replay forward between snapshots. Same roles and scope as
 * the live snapshot.
 */
export function replayRouter(deps: {
  tree: RegionTree;
  tokens: Tokens;
  now: () => number;
  events: (code: string, from: number, to: number) => Promise<{ events: ReplayEvent[]; truncated: boolean }>;
}): Router {
  const router = Router();
  router.get('/replay/:code/events', requireUser(deps.tokens), async (req, res) => {
    const code = regionParam(deps.tree, String(req.params.code), res);
    const q = parse(replayEventsQuerySchema, req.query, 'query');
    const now = deps.now();
    checkMoment('from', q.from, now);
    checkMoment('to', q.to, now);
    const r = await deps.events(code, q.from, q.to);
    // A public screen gets what its live ticker gets: masked text.
    const events = principal(res).publicMode ? r.events.map((e) => ({ ...e, ...maskTickerItem(e) })) : r.events;
    const reply: ReplayEventsReply = {
      region: code,
      from: isoBeijing(q.from),
      to: isoBeijing(q.to),
      events,
      truncated: r.truncated,
    };
    res.json(reply);
  });
  return router;
}
