import { Router } from 'express';
import { monthlyReportQuerySchema } from '../../../shared/schemas/assessment.ts';
import type { Tokens } from '../../auth/tokens.ts';
import { sendTables } from '../../exports/table.ts';
import type { RegionTree } from '../../regions/tree.ts';
import { monthlyReport, type ReportDeps } from '../../reports/monthly-data.ts';
import { monthlyHtml } from '../../reports/monthly-html.ts';
import { monthlyTables } from '../../reports/monthly-tables.ts';
import { PdfUnavailableError, type PdfRenderer } from '../../reports/pdf.ts';
import { shiftMonth } from '../../time/beijing.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { codeParam, monthParam } from './month-param.ts';

/**
 * `GET /api/v1/reports/monthly/:code?month=YYYY-MM&format=html|pdf|csv|xlsx`: the 一月一通报 of a
 * region (province down to township) for a month, the last complete one by default. Any reader in
 * the region's subtree; public mode masks names and numbers in the alerts' and problems' text.
 */
export function reportsRouter(deps: {
  tree: RegionTree;
  tokens: Tokens;
  report: ReportDeps;
  pdf: PdfRenderer;
}): Router {
  const router = Router();
  router.get('/reports/monthly/:code', requireUser(deps.tokens), async (req, res) => {
    const code = codeParam(deps.tree, String(req.params.code), res);
    if (!deps.report.assessment.assessed(code))
      throw new HttpError(404, 'not_found', `code: the 通报 is made for townships and above, not ${code}`);
    const query = parse(monthlyReportQuerySchema, req.query, 'query');
    const offered = deps.report.assessment.offered();
    const month = monthParam(query.month, offered, shiftMonth(offered.current, -1));
    const report = await monthlyReport(deps.report, code, month, principal(res).publicMode);
    const name = `${report.region.name}${report.month}月度通报`;
    res.setHeader('Cache-Control', 'no-store');
    if (query.format === 'html') {
      res.type('html').send(monthlyHtml(report));
    } else if (query.format === 'pdf') {
      let pdf: Buffer;
      try {
        pdf = await deps.pdf.render(monthlyHtml(report), `${report.region.name} ${report.month} 月度通报`);
      } catch (err) {
        if (err instanceof PdfUnavailableError)
          throw new HttpError(503, 'unavailable', 'PDF rendering is not available here');
        throw err;
      }
      res.setHeader(
        'Content-Disposition',
        `inline; filename="report.pdf"; filename*=UTF-8''${encodeURIComponent(`${name}.pdf`)}`,
      );
      res.type('application/pdf').send(pdf);
    } else {
      const tables = monthlyTables(report);
      // CSV holds one table: the desks' assessment (the sheet 值班台考核 of the XLSX).
      await sendTables(res, query.format, name, query.format === 'csv' ? [tables[2]!] : tables);
    }
  });
  return router;
}
