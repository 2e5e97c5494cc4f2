import { z } from 'zod';
import { CHANNELS, DISPUTE_CATEGORIES, INCIDENT_CATEGORIES, INCIDENT_STATUSES, DISPUTE_STATUSES } from '../vocab.ts';
import { isoTime } from './common.ts';

/**
 * Replay (回放): the wall as it was at a past moment (DESIGN.md "Walls and replay"). The server
 * keeps what replay needs for `REPLAY_DAYS`; a moment older than that, in the future, or before
 * the replay record begins is refused with the field named.
 */

/** How far back a wall can be replayed, in days (DESIGN: at least 30). */
export const REPLAY_DAYS = 30;

/** Replay speeds a wall accepts: 1 (real time) to 3600 (an hour a second). */
export const REPLAY_SPEED = { min: 1, max: 3600 } as const;

/** The longest window one events request may cover (a replayed hour at 600× is 6 s). */
export const REPLAY_EVENTS_MAX_WINDOW_MS = 60 * 60 * 1000;

/** The most events one events request returns (the oldest are kept; ask again from the last). */
export const REPLAY_EVENTS_CAP = 2000;

/**
 * An ISO 8601 moment with a time zone (`Z` or `+08:00`), as epoch ms. A date alone, or a time
 * without a zone, is refused: a wall must not guess whose midnight was meant.
 */
export const replayMoment = z
  .string()
  .max(40)
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO 8601 time with a zone, e.g. 2026-11-22T02:00:00+08:00',
  )
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a real time')
  .transform((s) => Date.parse(s));

/** `GET /api/v1/snapshot/:code?at=` — without `at`, the live snapshot. */
export const snapshotQuerySchema = z.object({ at: replayMoment.optional() });

/** `?speed=` of a replaying wall (also what the client checks before asking anything). */
export const replaySpeed = z.coerce
  .number()
  .int('must be a whole number')
  .min(REPLAY_SPEED.min, `must be at least ${REPLAY_SPEED.min}`)
  .max(REPLAY_SPEED.max, `must be at most ${REPLAY_SPEED.max}`);

/** `GET /api/v1/replay/:code/events?from=&to=`: the ticker's events of a window (from excluded, to included). */
export const replayEventsQuerySchema = z
  .object({ from: replayMoment, to: replayMoment })
  .refine((q) => q.to >= q.from, { message: 'must not be before from', path: ['to'] })
  .refine((q) => q.to - q.from <= REPLAY_EVENTS_MAX_WINDOW_MS, {
    message: `window longer than ${REPLAY_EVENTS_MAX_WINDOW_MS / 60_000} minutes`,
    path: ['to'],
  });

/** One event as the ticker showed it, with the moment the wall received it. */
export const replayEventSchema = z.object({
  id: z.string(),
  kind: z.enum(['incident', 'dispute']),
  category: z.enum([...INCIDENT_CATEGORIES, ...DISPUTE_CATEGORIES]),
  status: z.enum([...INCIDENT_STATUSES, ...DISPUTE_STATUSES]),
  severity: z.number().int(),
  region: z.string(),
  regionName: z.string(),
  occurredAt: isoTime,
  channel: z.enum(CHANNELS),
  summary: z.string(),
  location: z.object({ lng: z.number(), lat: z.number() }).optional(),
  /** When the event reached the screens (its batch was counted), ISO 8601 +08:00. */
  shownAt: isoTime,
});
export type ReplayEvent = z.infer<typeof replayEventSchema>;

export const replayEventsReplySchema = z.object({
  region: z.string(),
  from: isoTime,
  to: isoTime,
  /** Oldest first. */
  events: z.array(replayEventSchema),
  /** More events than REPLAY_EVENTS_CAP in the window: ask again from the last one's `shownAt`. */
  truncated: z.boolean(),
});
export type ReplayEventsReply = z.infer<typeof replayEventsReplySchema>;
