import { Router, type Response } from 'express';
import {
  beijingDayStart,
  caseExportQuery,
  caseListQuery,
  type CaseItem,
  type CaseListReply,
} from '../../../shared/schemas/case.ts';
import { EXPORT_ROW_LIMIT } from '../../../shared/schemas/export.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { Clock } from '../../clock.ts';
import type { RegionTree } from '../../regions/tree.ts';
import {
  allCases,
  countCases,
  decodeCursor,
  encodeCursor,
  listCases,
  type CaseFilter,
  type CaseListDeps,
} from '../../aggregate/case-list.ts';
import { caseTable } from '../../exports/cases.ts';
import { sendTables } from '../../exports/table.ts';
import { maskCase } from '../../privacy/mask.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';
import { tooManyRows } from './export-limit.ts';

const DAY_MS = 86_400_000;

/**
 * The case list of a region's subtree (`GET /api/v1/cases`) and its export. Read by every role but
 * `department` (a department sees its tasks only), within the caller's subtree; a public screen's
 * account gets summaries masked.
 */
export function casesRouter(deps: { tree: RegionTree; tokens: Tokens; clock: Clock; cases: CaseListDeps }): Router {
  const router = Router();
  const reader = requireUser(deps.tokens);

  function filter(
    q: { region?: string; kind?: CaseFilter['kind']; status?: CaseFilter['status']; from?: string; to?: string },
    res: Response,
  ): CaseFilter {
    return {
      region: regionParam(deps.tree, q.region ?? principal(res).region, res),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.from ? { from: beijingDayStart(q.from) } : {}),
      ...(q.to ? { to: beijingDayStart(q.to) + DAY_MS } : {}),
    };
  }
  const masked = (res: Response, cases: CaseItem[]) => (principal(res).publicMode ? cases.map(maskCase) : cases);

  router.get('/cases', reader, async (req, res) => {
    const q = parse(caseListQuery, req.query, 'query');
    const f = filter(q, res);
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !cursor)
      throw new HttpError(400, 'bad_request', 'invalid query', {
        errors: ['cursor: must be the nextCursor of an earlier page'],
      });
    const page = await listCases(deps.cases, f, cursor, q.limit, deps.clock.now());
    const reply: CaseListReply = {
      total: page.total,
      cases: masked(res, page.cases),
      ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
    };
    res.json(reply);
  });

  router.get('/cases/export', reader, async (req, res) => {
    const q = parse(caseExportQuery, req.query, 'query');
    const f = filter(q, res);
    const now = deps.clock.now();
    const n = await countCases(deps.cases, f, now);
    if (n > EXPORT_ROW_LIMIT) throw tooManyRows(n);
    const rows = masked(res, await allCases(deps.cases, f, now));
    const name = deps.tree.get(f.region)?.name ?? f.region;
    await sendTables(res, q.format, `${name}案事件清单`, [caseTable(rows)]);
  });

  return router;
}
