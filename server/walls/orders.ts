import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import { defineLua, runLua } from '../redis/lua.ts';
import { publish, publishIn } from '../redis/pubsub.ts';
import { isWithin } from '../../shared/regions.ts';
import { REPLAY_DAYS } from '../../shared/schemas/replay.ts';
import {
  wallOrderSchema,
  type FocusTarget,
  type WallOrder,
  type WallTarget,
  type WallView,
} from '../../shared/schemas/wall.ts';
import type { AuditLog } from '../audit/log.ts';
import type { Clock } from '../clock.ts';
import type { Keys } from '../redis/keys.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { WallPush, WallReleaseItem } from './push.ts';
import type { WallRecord, WallRegistry } from './registry.ts';

/** Why an order was refused; the route turns each into its HTTP status. */
export type WallOrderRefusal =
  | 'wall_not_found'
  | 'wall_out_of_scope'
  | 'target_out_of_scope'
  | 'order_expired'
  | 'replay_out_of_range'
  | 'not_found'
  | 'unknown_region'
  | 'conflict'
  | 'bad_request';

export class WallOrderError extends Error {
  constructor(
    readonly code: WallOrderRefusal,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Who gives an order: their name and home region (their scope). */
export interface Commander {
  username: string;
  region: string;
}

export interface GiveInput {
  walls?: readonly string[];
  group?: string;
  target: FocusTarget;
  /** ISO time with offset; the default length when absent. */
  until?: string;
  /**
   * A main wall's drill-down (in step): walls its viewer may not command, or whose viewer may not
   * see the region, are left out instead of refusing the whole order.
   */
  lead?: string;
}

/** The home region written into a wall id (`w-<home>-<hash>`), so an order's walls are scoped even when they are gone. */
const homeOfId = (id: string) => /^w-(\d+)-/.exec(id)?.[1] ?? '';

// Drops a wall's follow only while it still names this order: a newer order stays.
const DEL_IF = defineLua(
  'wallDelIf',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
);

/** How long an order's record outlives its end, so releasing it late is told "expired", not "unknown". */
const TOMBSTONE_MS = 86_400_000;

export interface WallOrders {
  /** Puts a target up on walls; refuses the whole order when any wall or the target is out of reach. */
  give(by: Commander, input: GiveInput): Promise<WallOrder>;
  /** Returns the walls to their own region or rotation; the ids of those that were following an order. */
  release(by: Commander, refs: { walls?: readonly string[]; group?: string }): Promise<string[]>;
  /** Releases the walls that still follow one order. */
  releaseOrder(by: Commander, id: string): Promise<string[]>;
  /** The order a wall follows now, if one is in force. */
  current(wallId: string): Promise<WallOrder | undefined>;
  /** The walls up in a region's subtree, with what they follow. */
  views(scope: string): Promise<WallView[]>;
  /** The walls a main wall's drill-down moves: the rest of its group, and of an order it leads. */
  followers(lead: WallRecord): Promise<WallRecord[]>;
  /** The main wall went back to its own region: the walls that followed its drill-down return to theirs. */
  releaseLed(lead: WallRecord): Promise<string[]>;
}

export function createWallOrders(deps: {
  redis: RedisClient;
  keys: Keys;
  clock: Clock;
  registry: WallRegistry;
  audit: AuditLog;
  hasRegion: (code: string) => boolean;
  /** The region of an alert, or undefined when there is no such alert. */
  alertRegion: (id: string) => Promise<string | undefined>;
  /** The region of a 重点问题, or undefined when there is no such problem. */
  problemRegion: (id: string) => Promise<string | undefined>;
  defaultMs: number;
  maxMs: number;
}): WallOrders {
  const { redis, keys, clock, registry } = deps;
  const delIf = (key: string, value: string) => runLua<number>(redis, DEL_IF, [key], [value]);
  const pushToWalls = (p: WallPush) => publish(redis, keys.wallPush, JSON.stringify(p));

  async function readOrder(id: string): Promise<WallOrder | undefined> {
    const raw = await redis.get(keys.wallOrder(id));
    if (!raw) return undefined;
    const r = wallOrderSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  }

  /** Walls by id or by name; names are looked up among the caller's walls (their own region's first). */
  async function resolve(by: Commander, refs: readonly string[] = [], group?: string): Promise<WallRecord[]> {
    const all = await registry.list();
    const mine = all.filter((w) => isWithin(w.region, by.region));
    const out = new Map<string, WallRecord>();
    for (const ref of refs) {
      const byId = all.find((w) => w.id === ref);
      if (byId) {
        if (!isWithin(byId.region, by.region))
          throw new WallOrderError('wall_out_of_scope', `wall ${ref} is outside your area`, { walls: [ref] });
        out.set(byId.id, byId);
        continue;
      }
      let named = mine.filter((w) => w.name === ref);
      if (named.length > 1) named = named.filter((w) => w.region === by.region);
      if (named.length > 1)
        throw new WallOrderError('conflict', `several walls are named ${ref}: name them by id`, {
          walls: named.map((w) => w.id),
        });
      const w = named[0];
      if (!w) throw new WallOrderError('wall_not_found', `no wall ${ref} is up in your area`, { walls: [ref] });
      out.set(w.id, w);
    }
    if (group !== undefined) {
      const members = mine.filter((w) => w.group === group);
      if (!members.length)
        throw new WallOrderError('wall_not_found', `no wall of group ${group} is up in your area`, { group });
      for (const w of members) out.set(w.id, w);
    }
    return [...out.values()];
  }

  /** A region the caller may put up: it exists and is in their area. */
  function ownRegion(by: Commander, region: string, what: string): void {
    if (!deps.hasRegion(region)) throw new WallOrderError('unknown_region', `unknown region ${region}`);
    if (!isWithin(region, by.region)) throw new WallOrderError('target_out_of_scope', `${what} is outside your area`);
  }

  /** A replay moment is in the past and within the replay window (the wall could not show it otherwise). */
  function replayMoment(at: number): void {
    const now = clock.now();
    const earliest = now - REPLAY_DAYS * 86_400_000;
    const why =
      at > now
        ? `target.at: is in the future (now ${isoBeijing(now)})`
        : at < earliest
          ? `target.at: is older than the replay window of ${REPLAY_DAYS} days (earliest ${isoBeijing(earliest)})`
          : undefined;
    if (why) throw new WallOrderError('replay_out_of_range', why, { errors: [why] });
  }

  async function target(by: Commander, t: FocusTarget): Promise<WallTarget> {
    if (t.alert !== undefined) {
      const region = await deps.alertRegion(t.alert);
      if (!region) throw new WallOrderError('not_found', 'no such alert');
      if (!isWithin(region, by.region))
        throw new WallOrderError('target_out_of_scope', `alert ${t.alert} is outside your area`);
      return { kind: 'alert', alert: t.alert, region };
    }
    if (t.problem !== undefined) {
      const region = await deps.problemRegion(t.problem);
      if (!region) throw new WallOrderError('not_found', 'no such problem');
      if (!isWithin(region, by.region))
        throw new WallOrderError('target_out_of_scope', `problem ${t.problem} is outside your area`);
      return { kind: 'problem', problem: t.problem, region };
    }
    const region = t.region!;
    ownRegion(by, region, `region ${region}`);
    if (t.at === undefined) return { kind: 'region', region };
    replayMoment(t.at);
    return { kind: 'replay', region, at: isoBeijing(t.at), ...(t.speed !== undefined ? { speed: t.speed } : {}) };
  }

  function end(until: string | undefined, now: number): number {
    if (until === undefined) return now + deps.defaultMs;
    const at = Date.parse(until);
    if (at <= now)
      throw new WallOrderError('order_expired', 'until: must be in the future', {
        errors: ['until: must be in the future'],
      });
    if (at > now + deps.maxMs) {
      const hours = Math.round(deps.maxMs / 3_600_000);
      throw new WallOrderError('bad_request', `until: at most ${hours} h ahead`, {
        errors: [`until: at most ${hours} h ahead`],
      });
    }
    return at;
  }

  async function store(order: WallOrder, untilMs: number, now: number, push: WallPush): Promise<void> {
    const multi = redis
      .multi()
      .set(keys.wallOrder(order.id), JSON.stringify(order), 'PX', untilMs - now + TOMBSTONE_MS);
    for (const w of order.walls) multi.set(keys.wallFollow(w), order.id, 'PX', untilMs - now);
    publishIn(multi, redis, keys.wallPush, JSON.stringify(push));
    await multi.exec();
  }

  async function current(wallId: string): Promise<WallOrder | undefined> {
    const id = await redis.get(keys.wallFollow(wallId));
    const order = id ? await readOrder(id) : undefined;
    return order && Date.parse(order.until) > clock.now() ? order : undefined;
  }

  async function followers(lead: WallRecord): Promise<WallRecord[]> {
    const all = await registry.list();
    const out = new Map<string, WallRecord>();
    if (lead.group && lead.main) for (const w of all) if (w.group === lead.group && w.id !== lead.id) out.set(w.id, w);
    // DESIGN: the walls of one order form a group; a drill-down on the first moves the others.
    const following = await current(lead.id);
    if (following && following.walls[0] === lead.id)
      for (const id of following.walls.slice(1)) {
        const w = all.find((x) => x.id === id);
        if (w) out.set(id, w);
      }
    return [...out.values()].filter((w) => isWithin(w.region, lead.region));
  }

  const scopeOf = (walls: readonly WallRecord[], fallback: string) =>
    walls.length === 1 ? walls[0]!.region : fallback;

  return {
    async give(by, input) {
      // Read together (every Redis round trip costs tens of ms on a loaded host); a refused wall
      // is still told before a refused target.
      const [w, tg] = await Promise.allSettled([resolve(by, input.walls, input.group), target(by, input.target)]);
      if (w.status === 'rejected') throw w.reason;
      if (tg.status === 'rejected') throw tg.reason;
      let walls = w.value;
      const t = tg.value;
      const blind = walls.filter((w) => !isWithin(t.region, w.region));
      if (input.lead !== undefined) walls = walls.filter((w) => !blind.includes(w) && w.id !== input.lead);
      else if (blind.length)
        throw new WallOrderError(
          'target_out_of_scope',
          `the viewer of ${blind.map((w) => w.name).join('、')} may not see ${t.region}`,
          { walls: blind.map((w) => w.id) },
        );
      const now = clock.now();
      const untilMs = end(input.until, now);
      const order: WallOrder = {
        id: `o-${randomBytes(8).toString('hex')}`,
        walls: walls.map((w) => w.id),
        target: t,
        by: by.username,
        at: isoBeijing(now),
        until: isoBeijing(untilMs),
        ...(input.lead ? { lead: input.lead } : {}),
      };
      if (!walls.length) return order;
      // Stored and pushed in one transaction: a wall that reconnects meanwhile reads it at
      // registration, and the walls hear it one round trip after the order is taken.
      await store(order, untilMs, now, { kind: 'focus', order });
      await deps.audit.append({
        actor: by.username,
        action: 'wall.focus',
        target: order.id,
        region: scopeOf(walls, by.region),
        detail: {
          walls: walls.map((w) => w.name).join(','),
          kind: t.kind,
          what: t.kind === 'alert' ? t.alert : t.kind === 'problem' ? t.problem : t.region,
          ...(t.kind === 'replay' ? { at: t.at, ...(t.speed ? { speed: t.speed } : {}) } : {}),
          until: order.until,
          ...(input.lead ? { lead: input.lead } : {}),
        },
      });
      return order;
    },

    async release(by, refs) {
      const walls = await resolve(by, refs.walls, refs.group);
      const multi = redis.multi();
      for (const w of walls) multi.getdel(keys.wallFollow(w.id));
      const rows = (await multi.exec()) ?? [];
      const releases: WallReleaseItem[] = [];
      rows.forEach(([, v], i) => {
        if (typeof v === 'string') releases.push({ wall: walls[i]!.id, order: v });
      });
      if (releases.length) {
        await pushToWalls({ kind: 'release', releases });
        await deps.audit.append({
          actor: by.username,
          action: 'wall.release',
          region: scopeOf(walls, by.region),
          detail: { walls: walls.map((w) => w.name).join(',') },
        });
      }
      return releases.map((r) => r.wall);
    },

    async releaseOrder(by, id) {
      const order = await readOrder(id);
      if (!order) throw new WallOrderError('not_found', 'no such order');
      const outside = order.walls.filter((w) => !isWithin(homeOfId(w), by.region));
      if (outside.length)
        throw new WallOrderError('wall_out_of_scope', 'the order holds walls outside your area', { walls: outside });
      if (Date.parse(order.until) <= clock.now())
        throw new WallOrderError('order_expired', `order ${id} ended at ${order.until}`, { until: order.until });
      const releases: WallReleaseItem[] = [];
      for (const w of order.walls)
        if ((await delIf(keys.wallFollow(w), id)) === 1) releases.push({ wall: w, order: id });
      if (releases.length) {
        await pushToWalls({ kind: 'release', releases });
        await deps.audit.append({ actor: by.username, action: 'wall.release', target: id, region: by.region });
      }
      return releases.map((r) => r.wall);
    },

    current,

    async views(scope) {
      const walls = (await registry.list()).filter((w) => isWithin(w.region, scope));
      const follows = walls.length ? await redis.mget(walls.map((w) => keys.wallFollow(w.id))) : [];
      const orders = new Map<string, WallOrder | undefined>();
      for (const id of new Set(follows.filter((f): f is string => !!f))) orders.set(id, await readOrder(id));
      const now = clock.now();
      return walls.map((w, i) => {
        const o = follows[i] ? orders.get(follows[i]) : undefined;
        return {
          id: w.id,
          name: w.name,
          region: w.region,
          user: w.user,
          since: isoBeijing(w.since),
          ...(w.group ? { group: w.group } : {}),
          ...(w.main ? { main: true } : {}),
          ...(w.quiet ? { quiet: true } : {}),
          ...(w.showing ? { showing: w.showing } : {}),
          ...(o && Date.parse(o.until) > now ? { following: o } : {}),
        };
      });
    },

    followers,

    async releaseLed(lead) {
      const releases: WallReleaseItem[] = [];
      for (const w of await followers(lead)) {
        const o = await current(w.id);
        if (o?.lead === lead.id && (await delIf(keys.wallFollow(w.id), o.id)) === 1)
          releases.push({ wall: w.id, order: o.id });
      }
      if (releases.length) await pushToWalls({ kind: 'release', releases });
      return releases.map((r) => r.wall);
    },
  };
}
