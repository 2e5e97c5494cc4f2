import { z } from 'zod';
import { LEVELS } from '../regions.ts';
import { isoTime, month } from './common.ts';

/** `?month=YYYY-MM` of `GET /api/v1/index/:code`; absent means the current (Beijing) month. */
export const indexQuerySchema = z.object({ month: month.optional() });

const score = z.number().min(0).max(100).nullable();

/** One indicator of a region's 平安指数 (see server/safety-index/README.md for each formula). */
export const indexIndicatorSchema = z.object({
  /** `crime`, `homicide`, `petition`, `resolution`, `mediation`, `overdue`. */
  id: z.string(),
  /** Chinese name for the screen, e.g. 刑事治安案件. */
  name: z.string(),
  /** Counts: cases this month (so far, for the live month). Rates: a share 0–1, null when nothing to divide. */
  value: z.number().nullable(),
  /** The region's own trailing baseline in the same unit (counts: expected for the same span), or null. */
  baseline: z.number().nullable(),
  /** Median of the peers at the same level (counts: scaled to this region's size), or null. */
  peerMedian: z.number().nullable(),
  /** 0–100, higher is safer; null when the indicator could not be scored this month. */
  score,
  /** Configured share of the total, 0–1 (indicators without a score are left out and the rest rescaled). */
  weight: z.number().min(0).max(1),
});
export type IndexIndicator = z.infer<typeof indexIndicatorSchema>;

/** How many indicators of a region could be scored this month: 4/6 means its total rests on four. */
export const indexCoverageSchema = z.object({
  scored: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type IndexCoverage = z.infer<typeof indexCoverageSchema>;

export const indexRankSchema = z.object({
  /**
   * 1 is the safest of its peers; equal scores share a position. Regions with fewer indicators
   * scored are ranked after those with more, among themselves.
   */
  position: z.number().int().positive(),
  of: z.number().int().positive(),
  level: z.enum(LEVELS),
});
export type IndexRank = z.infer<typeof indexRankSchema>;

export const indexTrendPointSchema = z.object({
  month,
  score,
  provisional: z.boolean(),
});
export type IndexTrendPoint = z.infer<typeof indexTrendPointSchema>;

/** `GET /api/v1/index/:code?month=YYYY-MM` */
export const safetyIndexReplySchema = z.object({
  region: z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) }),
  /** `YYYY-MM` (Beijing calendar month). */
  month,
  /** True for the current month (暂估, computed live); false once published on the 1st of the next month. */
  provisional: z.boolean(),
  /** 0–100, higher is safer; null only when no indicator could be scored. */
  score,
  coverage: indexCoverageSchema,
  rank: indexRankSchema,
  indicators: z.array(indexIndicatorSchema),
  /** Up to 12 months ending with `month`, oldest first; months without data are left out. */
  trend: z.array(indexTrendPointSchema),
  /**
   * Children with their scores for the same month, in code order: the children the screens show
   * (a county of the city's own name is skipped, as in `GET /regions/:code`).
   */
  children: z.array(z.object({ code: z.string(), name: z.string(), score, coverage: indexCoverageSchema })),
  /** When the numbers were computed (live month) or frozen (published month), ISO 8601 +08:00. */
  asOf: isoTime,
});
export type SafetyIndexReply = z.infer<typeof safetyIndexReplySchema>;
