import { z } from 'zod';
import type { Level } from '../regions.ts';

/** `?month=YYYY-MM` of `GET /api/v1/index/:code`; absent means the current (Beijing) month. */
export const indexQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM')
    .optional(),
});

/** One indicator of a region's 平安指数 (see server/safety-index/README.md for each formula). */
export interface IndexIndicator {
  /** `crime`, `homicide`, `petition`, `resolution`, `mediation`, `overdue`. */
  id: string;
  /** Chinese name for the screen, e.g. 刑事治安案件. */
  name: string;
  /** Counts: cases this month (so far, for the live month). Rates: a share 0–1, null when nothing to divide. */
  value: number | null;
  /** The region's own trailing baseline in the same unit (counts: expected for the same span), or null. */
  baseline: number | null;
  /** Median of the peers at the same level (counts: scaled to this region's size), or null. */
  peerMedian: number | null;
  /** 0–100, higher is safer; null when the indicator could not be scored this month. */
  score: number | null;
  /** Configured share of the total, 0–1 (indicators without a score are left out and the rest rescaled). */
  weight: number;
}

export interface IndexRank {
  /** 1 is the safest of its peers; equal scores share a position. */
  position: number;
  of: number;
  level: Level;
}

export interface IndexTrendPoint {
  /** `YYYY-MM` */
  month: string;
  score: number | null;
  provisional: boolean;
}

/** `GET /api/v1/index/:code?month=YYYY-MM` */
export interface SafetyIndexReply {
  region: { code: string; name: string; level: Level };
  /** `YYYY-MM` (Beijing calendar month). */
  month: string;
  /** True for the current month (暂估, computed live); false once published on the 1st of the next month. */
  provisional: boolean;
  /** 0–100, higher is safer; null only when no indicator could be scored. */
  score: number | null;
  rank: IndexRank;
  indicators: IndexIndicator[];
  /** Up to 12 months ending with `month`, oldest first; months without data are left out. */
  trend: IndexTrendPoint[];
  /** Direct children with their scores for the same month, in code order. */
  children: Array<{ code: string; name: string; score: number | null }>;
  /** When the numbers were computed (live month) or frozen (published month), ISO 8601 +08:00. */
  asOf: string;
}
