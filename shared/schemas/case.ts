import { z } from 'zod';
import { CATEGORIES, CHANNELS, DISPUTE_STATUSES, INCIDENT_STATUSES, KINDS } from '../vocab.ts';
import { isRegionCode } from '../regions.ts';
import { EXPORT_FORMATS } from './export.ts';
import { count, isoTime } from './common.ts';

/**
 * One case (an incident or a dispute: every event with one `caseId`) as lists show it: the
 * attributes of its earliest event, its furthest-along status, and that event's summary.
 */
export const caseItemSchema = z.object({
  id: z.string(),
  kind: z.enum(KINDS),
  category: z.enum(CATEGORIES as [string, ...string[]]),
  status: z.enum([...INCIDENT_STATUSES, ...DISPUTE_STATUSES]),
  /** Not yet closed (incidents) or not yet resolved/failed (disputes). */
  open: z.boolean(),
  /** 1 一般 … 4 特别重大, the highest any of its events gave. */
  severity: z.number().int().min(1).max(4),
  region: z.string(),
  /** The region's name, 县 › 乡 › 村 below the county (e.g. 甘州区 梁家墩镇 四坝村). */
  regionName: z.string(),
  channel: z.enum(CHANNELS),
  /** When its earliest event occurred (ISO 8601, +08:00): what lists sort and filter on. */
  reportedAt: isoTime,
  /** When its current status was reached. */
  statusAt: isoTime,
  /** An open dispute past its SLA: not dispatched in time, not resolved in time. */
  overdue: z.object({ dispatch: z.boolean(), resolve: z.boolean() }),
  /** 久拖: open, and its earliest event older than STALE_CASE_DAYS (still open and counted). */
  stale: z.boolean().optional(),
  /** The earliest event's summary, plain text (masked on a public screen). */
  summary: z.string(),
});
export type CaseItem = z.infer<typeof caseItemSchema>;

/** A Beijing calendar day, `YYYY-MM-DD` (2026-02-30 is not one). */
const day = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a day YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  }, 'must be a calendar day');

/** Epoch ms of 00:00 Beijing time of a `YYYY-MM-DD` day. */
export function beijingDayStart(d: string): number {
  return Date.parse(`${d}T00:00:00+08:00`);
}

/** Where a page ends: opaque to clients, given back as `cursor` for the next page. */
export const CURSOR_RE = /^\d{1,15}\.[A-Za-z0-9_-]{1,200}$/;

/** The filters of the case list and of its export (one schema, so they cannot drift apart). */
const caseFilters = {
  /** The caller's home region by default; any region of its subtree. */
  region: z.string().refine(isRegionCode, 'must be a region code').optional(),
  kind: z.enum(KINDS).optional(),
  /** `open`, `closed`, or both when absent. */
  status: z.enum(['open', 'closed']).optional(),
  /** Beijing days, inclusive, of the case's earliest event. */
  from: day.optional(),
  to: day.optional(),
};
const fromBeforeTo = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
const fromBeforeToIssue = { message: 'must not be before from', path: ['to'] };

export const caseListQuery = z
  .strictObject({
    ...caseFilters,
    cursor: z.string().regex(CURSOR_RE, 'must be the nextCursor of an earlier page').optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine(fromBeforeTo, fromBeforeToIssue);
export type CaseListQuery = z.infer<typeof caseListQuery>;

export const caseExportQuery = z
  .strictObject({ ...caseFilters, format: z.enum(EXPORT_FORMATS) })
  .refine(fromBeforeTo, fromBeforeToIssue);

export const caseListReplySchema = z.object({
  /** Every case matching the filters, not only this page. */
  total: count,
  cases: z.array(caseItemSchema),
  /** Absent on the last page. */
  nextCursor: z.string().optional(),
});
export type CaseListReply = z.infer<typeof caseListReplySchema>;

/**
 * The cases a township or village wall shows from its first paint (the snapshot's `cases`):
 * its latest cases, and its open disputes, newest first, each list capped.
 */
export const localCasesSchema = z.object({
  recent: z.array(caseItemSchema),
  openDisputes: z.array(caseItemSchema),
});
export type LocalCases = z.infer<typeof localCasesSchema>;
