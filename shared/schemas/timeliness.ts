import { z } from 'zod';
import type { Level } from '../regions.ts';

/** `?month=YYYY-MM` of `GET /api/v1/timeliness/:code`; absent means the current (Beijing) month. */
export const timelinessQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .optional(),
});

/** Reports and late reports of one kind in a month. */
export interface TimelinessCounts {
  reports: number;
  late: number;
}

/**
 * 上报及时率 = onTime ÷ (reports + silences): every event received in the month is a report, on
 * time when received within its kind's limit after it occurred; every 失联 episode counts as one
 * more report that came late.
 */
export interface TimelinessFigures {
  /** Events received in the month in the region's subtree. */
  reports: number;
  /** Of those, received later than their kind's limit after they occurred. */
  late: number;
  /** 失联 episodes of the region or below (and of source systems bound there) found in the month. */
  silences: number;
  onTime: number;
  /** 0–1; null when there was nothing to judge. */
  rate: number | null;
  byKind: { incident: TimelinessCounts; dispute: TimelinessCounts };
}

/** `GET /api/v1/timeliness/:code?month=YYYY-MM`: a region's 上报及时率 (province down to township). */
export interface TimelinessReply extends TimelinessFigures {
  region: { code: string; name: string; level: Level };
  /** `YYYY-MM` (Beijing calendar month). */
  month: string;
  /** True for the current month, still counting. */
  provisional: boolean;
  /** Minutes from occurrence to receipt within which a report is on time. */
  limitMinutes: { incident: number; dispute: number };
  /** The formula in Chinese, for a tooltip or a footnote. */
  formula: string;
  /** ISO 8601 +08:00. */
  asOf: string;
}
