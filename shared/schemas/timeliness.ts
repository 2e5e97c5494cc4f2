import { z } from 'zod';
import { LEVELS } from '../regions.ts';
import { count, isoTime, month, rate } from './common.ts';

/** The formula as the screens and explanations say it. */
export const TIMELINESS_FORMULA = '上报及时率 = 按时上报 ÷ (上报总数 + 失联次数)';

/** `?month=YYYY-MM` of `GET /api/v1/timeliness/:code`; absent means the current (Beijing) month. */
export const timelinessQuerySchema = z.object({ month: month.optional() });

/** Reports and late reports of one kind in a month. */
export const timelinessCountsSchema = z.object({ reports: count, late: count });
export type TimelinessCounts = z.infer<typeof timelinessCountsSchema>;

/**
 * 上报及时率 = onTime ÷ (reports + silences): every event received in the month is a report, on
 * time when received within its kind's limit after it occurred; every 失联 episode counts as one
 * more report that came late.
 */
export const timelinessFiguresSchema = z.object({
  /** Events received in the month in the region's subtree. */
  reports: count,
  /** Of those, received later than their kind's limit after they occurred. */
  late: count,
  /** 失联 episodes of the region or below (and of source systems bound there) found in the month. */
  silences: count,
  onTime: count,
  /** 0–1; null when there was nothing to judge. */
  rate,
  byKind: z.object({ incident: timelinessCountsSchema, dispute: timelinessCountsSchema }),
});
export type TimelinessFigures = z.infer<typeof timelinessFiguresSchema>;

/** `GET /api/v1/timeliness/:code?month=YYYY-MM`: a region's 上报及时率 (province down to township). */
export const timelinessReplySchema = timelinessFiguresSchema.extend({
  region: z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) }),
  /** `YYYY-MM` (Beijing calendar month). */
  month,
  /** True for the current month, still counting. */
  provisional: z.boolean(),
  /** Minutes from occurrence to receipt within which a report is on time. */
  limitMinutes: z.object({ incident: z.number().positive(), dispute: z.number().positive() }),
  /** The formula in Chinese, for a tooltip or a footnote. */
  formula: z.string(),
  /** ISO 8601 +08:00. */
  asOf: isoTime,
});
export type TimelinessReply = z.infer<typeof timelinessReplySchema>;
