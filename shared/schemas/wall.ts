import { z } from 'zod';
import { isRegionCode } from '../regions.ts';
import { isoTime } from './common.ts';
import { problemIdSchema } from './problem.ts';
import { REPLAY_SPEED, replayMoment } from './replay.ts';

/**
 * Named walls and 一键上墙 (DESIGN.md "Walls and replay"). A wall screen opens as `/?wall=<name>`
 * and registers in its socket handshake; a duty officer or commander puts a target up on walls
 * (`POST /api/v1/walls/focus`), which follow it until it is released or its `until` passes.
 */

/**
 * A wall's or a group's name as people say it: 主屏, 左屏, 会商-1. Letters of any script, digits,
 * `-`, `_` and `·`; no spaces or markup, so it is safe in an address, a log line and a label.
 */
export const wallNameSchema = z.string().regex(/^[\p{L}\p{N}_·-]{1,16}$/u, 'must be 1–16 letters, digits, - _ or ·');

/** What a wall screen says about itself in the socket handshake: `auth: {token, wall, group?, main?, quiet?}`. */
export const wallHandshakeSchema = z.object({
  wall: wallNameSchema,
  /** Walls of one group are put up together, and follow their main wall's drill-down (in step). */
  group: wallNameSchema.optional(),
  /** The group's main wall: a drill-down on it moves the group's other walls. */
  main: z.boolean().optional(),
  /** A leader's office: a new red alert only pulses on the map, no card. */
  quiet: z.boolean().optional(),
});
export type WallHandshake = z.infer<typeof wallHandshakeSchema>;

/** A wall id: `w-<home region>-<8 hex>`, the same for the same name in the same home region (a reload keeps it). */
export const wallIdSchema = z.string().regex(/^w-\d{2,12}-[0-9a-f]{8}$/, 'must be a wall id w-…');

const regionCode = z.string().refine(isRegionCode, 'must be a region code');
const alertId = z.string().min(1).max(128);

/**
 * What an order puts up, as stored and pushed: one member per kind, told apart by `kind`. Every
 * member carries the region it shows, read when the order was given (an alert's or a problem's),
 * so each wall's socket is checked against it on delivery.
 */
export const wallTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('region'), region: z.string() }),
  z.object({ kind: z.literal('alert'), alert: z.string(), region: z.string() }),
  /** A 重点问题: its card over the map and the 重点问题 panel, on the problem's region. */
  z.object({ kind: z.literal('problem'), problem: z.string(), region: z.string() }),
  /**
   * A replay moment (回放): the region as it was at `at` (ISO 8601 +08:00), played forward at
   * `speed` × real time; held still at that moment when `speed` is absent.
   */
  z.object({
    kind: z.literal('replay'),
    region: z.string(),
    at: isoTime,
    speed: z.number().int().min(REPLAY_SPEED.min).max(REPLAY_SPEED.max).optional(),
  }),
]);
export type WallTarget = z.infer<typeof wallTargetSchema>;
export type WallTargetKind = WallTarget['kind'];

const TARGET_KINDS = ['region', 'alert', 'problem'] as const;

/**
 * The target as a caller names it in `POST /api/v1/walls/focus` (DESIGN: `{region} | {alert} |
 * {problem} | {region, at, speed?}`): exactly one of region, alert or problem; `at` (a past moment
 * within the replay window, which the server checks against its clock) only with a region, and
 * `speed` (REPLAY_SPEED, a whole number) only with `at`. One object rather than a union, so a
 * refusal names the field (`target.speed: must be at most 3600`), not "no member matched".
 */
export const focusTargetInput = z
  .strictObject({
    region: regionCode.optional(),
    alert: alertId.optional(),
    problem: problemIdSchema.optional(),
    at: replayMoment.optional(),
    speed: z
      .number('must be a number')
      .int('must be a whole number')
      .min(REPLAY_SPEED.min, `must be at least ${REPLAY_SPEED.min}`)
      .max(REPLAY_SPEED.max, `must be at most ${REPLAY_SPEED.max}`)
      .optional(),
  })
  .superRefine((t, ctx) => {
    const named = TARGET_KINDS.filter((k) => t[k] !== undefined);
    if (named.length !== 1)
      ctx.addIssue({ code: 'custom', message: 'name exactly one of region, alert or problem', path: [] });
    if (t.at !== undefined && t.region === undefined)
      ctx.addIssue({ code: 'custom', message: 'a replay moment is of a region: give region with it', path: ['at'] });
    if (t.speed !== undefined && t.at === undefined)
      ctx.addIssue({ code: 'custom', message: 'a speed plays a replay: give at with it', path: ['speed'] });
  });
/** The target as sent (`at` an ISO string). */
export type FocusTargetInput = z.input<typeof focusTargetInput>;
/** The target as parsed (`at` in epoch ms). */
export type FocusTarget = z.output<typeof focusTargetInput>;

/** A wall named by id or by name (names are looked up among the walls in the caller's scope). */
const wallRef = z.string().min(1).max(64);

/**
 * `POST /api/v1/walls/focus`: `{walls?, group?, target, until?}` puts a target up;
 * `{walls?, group?, release: true}` returns those walls to their own region or rotation.
 * `until` is an ISO time with an offset; without it the server's default (WALL_ORDER_MINUTES).
 */
export const focusBody = z
  .strictObject({
    walls: z.array(wallRef).min(1).max(32).optional(),
    group: wallNameSchema.optional(),
    target: focusTargetInput.optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    release: z.literal(true).optional(),
  })
  .refine((b) => b.walls !== undefined || b.group !== undefined, {
    message: 'name the walls or a group',
    path: ['walls'],
  })
  .refine((b) => (b.target === undefined) !== (b.release === undefined), {
    message: 'give either a target or release: true',
    path: ['target'],
  })
  .refine((b) => b.release === undefined || b.until === undefined, {
    message: 'a release has no until',
    path: ['until'],
  });
export type FocusBody = z.infer<typeof focusBody>;

/** One order: what it put up, on which walls, by whom, until when. */
export const wallOrderSchema = z.object({
  id: z.string(),
  /** Wall ids; the first is the lead of the walls the order forms into a group. */
  walls: z.array(z.string()),
  target: wallTargetSchema,
  /** The username who gave it (shown on the wall: 由 … 推送). */
  by: z.string(),
  at: isoTime,
  /** When the walls return to their own region or rotation by themselves. */
  until: isoTime,
  /** Given by a main wall's drill-down: the walls follow that wall (随主屏联动). */
  lead: z.string().optional(),
});
export type WallOrder = z.infer<typeof wallOrderSchema>;

/** A wall that is up. `region` is its viewer's home region (what the wall may show). */
export const wallViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  /** The account logged in on the wall. */
  user: z.string(),
  /** Since when it is up (this registration), ISO 8601 +08:00. */
  since: isoTime,
  group: z.string().optional(),
  main: z.boolean().optional(),
  quiet: z.boolean().optional(),
  /** The region it shows now (its last subscription). */
  showing: z.string().optional(),
  /** The order it follows, while one is in force. */
  following: wallOrderSchema.optional(),
});
export type WallView = z.infer<typeof wallViewSchema>;

/** `GET /api/v1/walls`. */
export const wallListReplySchema = z.object({ walls: z.array(wallViewSchema) });
/** `POST /api/v1/walls/focus` with a target → 201. */
export const focusReplySchema = z.object({ order: wallOrderSchema });
/** `POST /api/v1/walls/focus` with `release: true`, and `DELETE /api/v1/walls/orders/:id`. */
export const releaseReplySchema = z.object({ released: z.array(z.string()) });

/** `wall:release`: the wall drops the order `order` if it is the one it follows. */
export interface WallRelease {
  order: string;
}

/** `wall:drill` (client → server) from a main wall: the region it drilled to. */
export const wallDrillArg = regionCode;
/** The reply to `wall:drill`: how many walls were told to follow. */
export interface WallDrillReply {
  moved: number;
}

/** Default seconds a new red alert's card stays over a wall's map (`?stage=` on the wall). */
export const RED_STAGE_SECONDS = 30;
