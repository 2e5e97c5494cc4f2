import { z } from 'zod';
import { listQuery } from './alert-actions.ts';
import { problemListQuery } from './problem.ts';

/** File formats of every export (server/exports/table.ts writes them). */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Most rows one export holds. A longer one is refused (naming its size) rather than cut short: a
 * file that silently ends at a cap reads as complete. 10,000 rows are a month of a county's cases
 * or every alert of a province's quarter; the XLSX of that many is ~1 MB and written in about a second.
 */
export const EXPORT_ROW_LIMIT = 10_000;

/** The duty console's list filters (GET /api/v1/alerts), and the file format. */
export const alertExportQuery = listQuery.extend({ format: z.enum(EXPORT_FORMATS) });

/** The 重点问题 list's filters (GET /api/v1/problems), and the file format. */
export const problemExportQuery = problemListQuery.extend({ format: z.enum(EXPORT_FORMATS) });
