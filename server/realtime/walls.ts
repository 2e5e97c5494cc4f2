import { fail, ok } from '../../shared/ack.ts';
import { wallRoom } from '../../shared/events.ts';
import { isWithin } from '../../shared/regions.ts';
import { WALL_COMMANDERS, type Role } from '../../shared/roles.ts';
import { describeIssues } from '../../shared/schemas/event.ts';
import { wallDrillArg, wallHandshakeSchema, type WallView } from '../../shared/schemas/wall.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { RegionTree } from '../regions/tree.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { WallOrders } from '../walls/orders.ts';
import { wallId, type WallRecord, type WallRegistry } from '../walls/registry.ts';
import type { IO, ServerSocket } from './hub.ts';

export interface WallSockets {
  /** The region a named wall's socket just subscribed to: what the wall shows now. */
  showing(socket: ServerSocket, region: string): void;
  stop(): void;
}

/**
 * Named walls on this process: registration from the handshake (`auth.wall`), its refresh while
 * the socket lives, the record dropped on disconnect, the order in force sent at registration,
 * and `wall:drill` from a main wall. Orders themselves reach the walls through the hub.
 */
export function wireWallSockets(
  io: IO,
  deps: {
    registry: WallRegistry;
    orders: WallOrders;
    tree: RegionTree;
    clock: Clock;
    logger: Logger;
    groups: Map<string, { group: string; main: boolean }>;
  },
): WallSockets {
  const { registry, orders, logger } = deps;
  /** Named wall sockets of this process, by socket id. */
  const local = new Map<string, { socket: ServerSocket; id: string; rec: WallRecord }>();
  /** The region each socket last subscribed to, kept from before its registration completes. */
  const shown = new Map<string, string>();

  async function register(socket: ServerSocket): Promise<void> {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    if (auth?.wall === undefined) return;
    if (socket.data.role === 'department')
      return void socket.emit('wall:registered', fail('forbidden', 'a department account opens no wall'));
    const parsed = wallHandshakeSchema.safeParse({
      wall: auth.wall,
      ...(auth.group === undefined || auth.group === '' ? {} : { group: auth.group }),
      ...(auth.main === undefined ? {} : { main: auth.main }),
      ...(auth.quiet === undefined ? {} : { quiet: auth.quiet }),
    });
    if (!parsed.success)
      return void socket.emit(
        'wall:registered',
        fail('bad_request', 'invalid wall name or group', { errors: describeIssues(parsed.error) }),
      );
    const h = parsed.data;
    const configured = deps.groups.get(h.wall);
    const group = h.group ?? configured?.group;
    const main = h.main ?? (group !== undefined && configured?.group === group && configured.main);
    const rec: WallRecord = {
      id: wallId(socket.data.region, h.wall),
      name: h.wall,
      region: socket.data.region,
      user: socket.data.username,
      role: socket.data.role,
      since: deps.clock.now(),
      socket: socket.id,
      ...(group ? { group } : {}),
      ...(main ? { main: true } : {}),
      ...(h.quiet ? { quiet: true } : {}),
      ...(shown.has(socket.id) ? { showing: shown.get(socket.id)! } : {}),
    };
    await registry.register(rec);
    if (socket.disconnected) return void registry.unregister(rec.id, socket.id);
    socket.data.wall = rec.id;
    local.set(socket.id, { socket, id: rec.id, rec });
    await socket.join(wallRoom(rec.id));
    const view: WallView = {
      id: rec.id,
      name: rec.name,
      region: rec.region,
      user: rec.user,
      since: isoBeijing(rec.since),
      ...(group ? { group } : {}),
      ...(main ? { main: true } : {}),
      ...(h.quiet ? { quiet: true } : {}),
    };
    socket.emit('wall:registered', ok(view));
    // An order in force when the wall (re)connects: it picks up where the room is.
    const order = await orders.current(rec.id);
    if (order && isWithin(order.target.region, socket.data.region)) socket.emit('wall:focus', order);
  }

  io.on('connection', (socket) => {
    register(socket).catch((err: unknown) => {
      logger.error({ err }, 'wall registration failed');
      socket.emit('wall:registered', fail('unavailable', 'registration failed; it is tried again on reconnect'));
    });
    socket.on('disconnect', () => {
      shown.delete(socket.id);
      const w = local.get(socket.id);
      if (!w) return;
      local.delete(socket.id);
      registry.unregister(w.id, socket.id).catch((err: unknown) => logger.warn({ err }, 'wall unregister failed'));
    });

    socket.on('wall:drill', async (region, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = wallDrillArg.safeParse(region);
      if (!parsed.success) return ack(fail('bad_request', 'wall:drill takes a region code'));
      const code = parsed.data;
      if (!deps.tree.has(code)) return ack(fail('unknown_region', `unknown region ${code}`));
      if (!isWithin(code, socket.data.region)) return ack(fail('out_of_scope', `region ${code} is outside your area`));
      const id = socket.data.wall;
      if (!id) return ack(fail('forbidden', 'only a named wall leads others'));
      if (!WALL_COMMANDERS.includes(socket.data.role as Role))
        return ack(fail('forbidden', `role ${socket.data.role} may not command walls`));
      try {
        const me = await registry.get(id);
        if (!me || me.socket !== socket.id) return ack(fail('forbidden', 'this screen no longer holds its wall name'));
        const by = { username: socket.data.username, region: socket.data.region };
        if (code === me.region) return ack(ok({ moved: (await orders.releaseLed(me)).length }));
        const followers = await orders.followers(me);
        if (!followers.length) return ack(ok({ moved: 0 }));
        const order = await orders.give(by, {
          walls: followers.map((w) => w.id),
          target: { region: code },
          lead: id,
        });
        ack(ok({ moved: order.walls.length }));
      } catch (err) {
        logger.error({ err, code }, 'wall drill failed');
        ack(fail('unavailable', 'the walls could not be told; try again'));
      }
    });
  });

  // Each process keeps its own walls alive; a wall that another screen took over is told so.
  const timer = setInterval(
    () => {
      for (const [sid, w] of local) {
        const keep = async () => {
          if ((await registry.refresh(w.id, sid)) || !local.has(sid)) return;
          // Gone without a successor (Redis lost it, or this process stalled past the TTL): write it again.
          if (!(await registry.get(w.id))) return registry.register(w.rec);
          local.delete(sid);
          w.socket.data.wall = undefined;
          void w.socket.leave(wallRoom(w.id));
          w.socket.emit('wall:registered', fail('conflict', 'another screen opened with this wall name'));
        };
        keep().catch((err: unknown) => logger.warn({ err }, 'wall refresh failed'));
      }
    },
    Math.max(1000, Math.floor(registry.ttlMs / 3)),
  );

  return {
    showing(socket, region) {
      if (socket.handshake.auth?.wall === undefined) return;
      shown.set(socket.id, region);
      const w = local.get(socket.id);
      if (!w) return;
      w.rec.showing = region;
      registry.setShowing(w.id, socket.id, region).catch(() => undefined);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
