import type { Category, Channel, Kind, Status, WarningLevel } from '../vocab.ts';
import type { Level } from '../regions.ts';
import type { AlertView } from './alert.ts';

/** Case counts of one window. Cases, not messages: a lifecycle event never adds a case. */
export interface KindCounts {
  incident: number;
  dispute: number;
}

/** Cases first reported in a calendar window (Asia/Shanghai), with their current status. */
export interface WindowCounts extends KindCounts {
  byCategory: Partial<Record<Category, number>>;
  byStatus: Partial<Record<Status, number>>;
  byChannel: Partial<Record<Channel, number>>;
}

export interface HourPoint {
  /** Start of the hour, ISO 8601 with +08:00. */
  hour: string;
  incident: number;
  dispute: number;
}

export type LevelCounts = Record<WarningLevel, number>;

export interface ChildSummary {
  code: string;
  name: string;
  counts: {
    today: KindCounts;
    open: KindCounts;
    overdue: { dispute: number };
  };
  alerts: LevelCounts;
}

/**
 * Everything a screen shows for one region, read in one round trip. A screen gets it on
 * subscribe and after any doubt; in between it gets deltas against it (see shared/delta.ts).
 */
export interface Snapshot {
  region: { code: string; name: string; level: Level; path: string[] };
  /** When the numbers were read, ISO 8601 with +08:00. */
  asOf: string;
  /** Per-room sequence: the next delta for this room carries seq + 1. */
  seq: number;
  counts: {
    today: WindowCounts;
    yesterday: KindCounts;
    month: WindowCounts;
    /** Sliding windows ending now (5-minute resolution). */
    last15m: KindCounts;
    last1h: KindCounts;
    last24h: KindCounts;
    /** Every case not yet closed (incidents) or not yet resolved/failed (disputes), whatever its day. */
    open: KindCounts & { byStatus: Partial<Record<Status, number>> };
    /** Open disputes past their SLA: not dispatched in time, or not resolved in time. */
    overdue: { dispute: number; dispatch: number; resolve: number };
  };
  rates: {
    /** Disputes received this month that reached `resolved` (null when none were received). */
    disputeResolution: number | null;
    /** Of this month's disputes with an outcome, the share resolved rather than failed. */
    mediationSuccess: number | null;
  };
  /** What the rates are made of, so a rate over a handful of cases can be shown as its counts. */
  rateCounts?: {
    disputeResolution: { num: number; den: number };
    mediationSuccess: { num: number; den: number };
  };
  /** The last 48 hours, oldest first, one point per hour (cases first reported in that hour). */
  hourly: HourPoint[];
  /** Direct children sorted by code; the client ranks them by whatever measure it shows. */
  children: ChildSummary[];
  /** Open alerts in the region's subtree, most severe and newest first (capped). */
  alerts: AlertView[];
  /** Open alerts by level in the subtree. */
  alertCounts: LevelCounts;
}

export type { Kind };
