import { Router } from 'express';
import { assessmentExportQuerySchema, assessmentQuerySchema } from '../../../shared/schemas/assessment.ts';
import type { Assessment } from '../../assessment/service.ts';
import { childDepartmentTable, departmentTable, deskTable } from '../../assessment/tables.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { sendTables } from '../../exports/table.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { codeParam, monthParam } from './month-param.ts';

/**
 * `GET /api/v1/assessment/:code?month=YYYY-MM`: the 督办考核 of a region's child desks and its
 * departments (the current month by default), and `…/export?format=csv|xlsx` the same as a file.
 * Any reader inside the region's subtree (the same check as every region route); the figures name
 * regions and departments, which are public bodies, so public mode shows them as they are.
 */
export function assessmentRouter(deps: { tree: RegionTree; tokens: Tokens; assessment: Assessment }): Router {
  const router = Router();
  const auth = requireUser(deps.tokens);

  function target(rawCode: string, res: Parameters<typeof codeParam>[2]): string {
    const code = codeParam(deps.tree, rawCode, res);
    if (!deps.assessment.assessed(code))
      throw new HttpError(404, 'not_found', `code: the assessment is kept for townships and above, not ${code}`);
    return code;
  }

  router.get('/assessment/:code', auth, async (req, res) => {
    const code = target(String(req.params.code), res);
    const query = parse(assessmentQuerySchema, req.query, 'query');
    const offered = deps.assessment.offered();
    res.json(await deps.assessment.reply(code, monthParam(query.month, offered, offered.current)));
  });

  router.get('/assessment/:code/export', auth, async (req, res) => {
    const code = target(String(req.params.code), res);
    const query = parse(assessmentExportQuerySchema, req.query, 'query');
    const offered = deps.assessment.offered();
    const reply = await deps.assessment.reply(code, monthParam(query.month, offered, offered.current));
    // CSV holds one table (the desks with the region's own total last, or the departments); XLSX
    // both, and the children's departments summed where there are such (down to the county).
    const byChild = childDepartmentTable(reply);
    const tables =
      query.format === 'xlsx'
        ? [deskTable(reply), departmentTable(reply), ...(byChild ? [byChild] : [])]
        : [query.table === 'departments' ? departmentTable(reply) : deskTable(reply)];
    await sendTables(res, query.format, `${reply.region.name}督办考核${reply.month}`, tables);
  });
  return router;
}
