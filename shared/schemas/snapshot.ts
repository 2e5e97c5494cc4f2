import { z } from 'zod';
import {
  CHANNELS,
  DISPUTE_CATEGORIES,
  DISPUTE_STATUSES,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  WARNING_LEVELS,
  type Kind,
} from '../vocab.ts';
import { LEVELS } from '../regions.ts';
import { alertViewSchema } from './alert.ts';
import { localCasesSchema } from './case.ts';
import { count, isoTime, rate } from './common.ts';
import { problemDigestSchema } from './problem.ts';

const byCategory = z.partialRecord(z.enum([...INCIDENT_CATEGORIES, ...DISPUTE_CATEGORIES]), count);
const byStatus = z.partialRecord(z.enum([...INCIDENT_STATUSES, ...DISPUTE_STATUSES]), count);
const byChannel = z.partialRecord(z.enum(CHANNELS), count);

/** Case counts of one window. Cases, not messages: a lifecycle event never adds a case. */
export const kindCountsSchema = z.object({ incident: count, dispute: count });
export type KindCounts = z.infer<typeof kindCountsSchema>;

/** Cases first reported in a calendar window (Asia/Shanghai), with their current status. */
export const windowCountsSchema = kindCountsSchema.extend({ byCategory, byStatus, byChannel });
export type WindowCounts = z.infer<typeof windowCountsSchema>;

export const hourPointSchema = z.object({
  /** Start of the hour, ISO 8601 with +08:00. */
  hour: isoTime,
  incident: count,
  dispute: count,
});
export type HourPoint = z.infer<typeof hourPointSchema>;

/** Open alerts by warning level. */
export const levelCountsSchema = z.object({
  red: count,
  orange: count,
  yellow: count,
  blue: count,
} satisfies Record<(typeof WARNING_LEVELS)[number], typeof count>);
export type LevelCounts = z.infer<typeof levelCountsSchema>;

export const childSummarySchema = z.object({
  code: z.string(),
  name: z.string(),
  counts: z.object({
    today: kindCountsSchema,
    open: kindCountsSchema,
    overdue: z.object({ dispute: count }),
  }),
  alerts: levelCountsSchema,
  /** 重点问题 open in the child's subtree and their stars (the map can be coloured by them). */
  problems: z.object({ open: count, stars: count }).optional(),
});
export type ChildSummary = z.infer<typeof childSummarySchema>;

/**
 * Everything a screen shows for one region, read in one round trip. A screen gets it on
 * subscribe and after any doubt; in between it gets deltas against it (see shared/delta.ts).
 */
export const snapshotSchema = z.object({
  region: z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS), path: z.array(z.string()) }),
  /** When the numbers were read, ISO 8601 with +08:00. */
  asOf: isoTime,
  /** Per-room sequence: the next delta for this room carries seq + 1. */
  seq: z.number().int().nonnegative(),
  counts: z.object({
    today: windowCountsSchema,
    yesterday: kindCountsSchema,
    month: windowCountsSchema,
    /** Sliding windows ending now (5-minute resolution). */
    last15m: kindCountsSchema,
    last1h: kindCountsSchema,
    last24h: kindCountsSchema,
    /** Every case not yet closed (incidents) or not yet resolved/failed (disputes), whatever its day. */
    open: kindCountsSchema.extend({ byStatus }),
    /** Open disputes past their SLA: not dispatched in time, or not resolved in time. */
    overdue: z.object({ dispute: count, dispatch: count, resolve: count }),
  }),
  rates: z.object({
    /** Disputes received this month that reached `resolved` (null when none were received). */
    disputeResolution: rate,
    /** Of this month's disputes with an outcome, the share resolved rather than failed. */
    mediationSuccess: rate,
  }),
  /** What the rates are made of, so a rate over a handful of cases can be shown as its counts. */
  rateCounts: z.object({
    disputeResolution: z.object({ num: count, den: count }),
    mediationSuccess: z.object({ num: count, den: count }),
  }),
  /** The last 48 hours, oldest first, one point per hour (cases first reported in that hour). */
  hourly: z.array(hourPointSchema),
  /** Direct children sorted by code; the client ranks them by whatever measure it shows. */
  children: z.array(childSummarySchema),
  /** Open alerts in the region's subtree, most severe and newest first (capped). */
  alerts: z.array(alertViewSchema),
  /** Open alerts by level in the subtree. */
  alertCounts: levelCountsSchema,
  /**
   * 重点问题 of the subtree (降星销号). Not carried by deltas: a changed digest goes whole, and
   * masked to public screens, as the socket `problems` event.
   */
  problems: problemDigestSchema.optional(),
  /**
   * 久拖: open cases whose earliest event is more than `days` days old (STALE_CASE_DAYS). They stay
   * open and counted in `counts.open`; this says how many of those have been open that long.
   * Absent from a replayed snapshot.
   */
  stale: z.object({ incident: count, dispute: count, days: z.number().int().positive() }).optional(),
  /**
   * Township and village only: the region's latest cases and its open disputes, so the centre of
   * a wall at that level lists them from the first paint (deltas keep them current).
   */
  cases: localCasesSchema.optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export type { Kind };
