import { z } from 'zod';
import { fail, ok } from '../../shared/ack.ts';
import { departmentRoom } from '../../shared/events.ts';
import { isRegionCode } from '../../shared/regions.ts';
import type { Tokens } from '../auth/tokens.ts';
import { inScope } from '../auth/scope.ts';
import type { RegionTree } from '../regions/tree.ts';
import type { Logger } from '../log.ts';
import type { Hub, IO, ServerSocket } from './hub.ts';
import { tokenRoom, userRoom } from './rooms.ts';
import { tokenBucket } from './throttle.ts';

export const MAX_SUBSCRIPTIONS = 8;
const MAX_TIMER_MS = 2 ** 31 - 1;

const regionArg = z.string().max(12);

/** Handshake authentication and the subscribe/unsubscribe handlers; every check on the server. */
export function wireSocketHandlers(
  io: IO,
  deps: {
    tokens: Tokens;
    tree: RegionTree;
    hub: Hub;
    logger: Logger;
    /** Told of every region a socket joined (a named wall records what it shows). */
    onSubscribed?: (socket: ServerSocket, region: string) => void;
  },
): void {
  /** The token version each socket's token was verified under, for the account check after the join. */
  const versions = new WeakMap<ServerSocket, number>();
  io.use(async (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown; public?: unknown } | undefined;
    const p = typeof auth?.token === 'string' ? await deps.tokens.verify(auth.token) : undefined;
    if (!p) return next(new Error('unauthenticated'));
    socket.data = {
      username: p.username,
      role: p.role,
      region: p.region,
      tokenId: p.tokenId,
      // The account's setting wins: a screen can ask for masking, never out of it.
      publicMode: p.publicMode || auth?.public === true,
      expiresAt: p.expiresAt,
      ...(p.department ? { department: p.department } : {}),
    };
    versions.set(socket, p.tokenVersion);
    next();
  });

  io.on('connection', (socket) => {
    const subscribed = new Set<string>();
    // Rooms through which a revoked token or a disabled user reaches this socket from any process.
    void socket.join([
      userRoom(socket.data.username),
      tokenRoom(socket.data.tokenId),
      // A department's tasks reach it here without any subscription (it may subscribe to no wall).
      ...(socket.data.department ? [departmentRoom(socket.data.department)] : []),
    ]);
    // A revocation published between the handshake's check and the join above missed this
    // socket: look once more now that the rooms would catch the next one. The signature was
    // verified at the handshake; what can have changed since is the account and the revocation.
    const { username, tokenId } = socket.data;
    void deps.tokens.stillValid({ username, tokenId, tokenVersion: versions.get(socket) ?? -1 }).then((valid) => {
      if (valid || socket.disconnected) return;
      socket.emit('session:ended', 'revoked');
      socket.disconnect(true);
    });
    let expiry: NodeJS.Timeout | undefined;
    const arm = () => {
      const left = socket.data.expiresAt * 1000 - Date.now();
      // setTimeout's ceiling is ~24.8 days and a wall token lives 30: wait in steps.
      if (left > MAX_TIMER_MS) expiry = setTimeout(arm, MAX_TIMER_MS);
      else
        expiry = setTimeout(
          () => {
            socket.emit('session:ended', 'expired');
            socket.disconnect(true);
          },
          Math.max(left, 0),
        );
    };
    arm();
    socket.on('disconnect', () => clearTimeout(expiry));

    const allow = tokenBucket(20, 2);
    socket.use(([, ...args], next) => {
      if (allow()) return next();
      const ack = args[args.length - 1];
      if (typeof ack === 'function')
        (ack as (r: unknown) => void)(fail('rate_limited', 'too many requests on this connection'));
    });

    socket.on('subscribe', async (region, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = regionArg.safeParse(region);
      if (!parsed.success || !isRegionCode(parsed.data))
        return ack(fail('bad_request', 'subscribe takes a region code'));
      const code = parsed.data;
      if (!deps.tree.has(code)) return ack(fail('unknown_region', `unknown region ${code}`));
      if (!inScope(socket.data, code) || socket.data.role === 'department')
        return ack(fail('out_of_scope', `region ${code} is outside your area`));
      const reserved = !subscribed.has(code);
      if (reserved && subscribed.size >= MAX_SUBSCRIPTIONS)
        return ack(fail('too_many_subscriptions', `at most ${MAX_SUBSCRIPTIONS} regions per connection`));
      // The slot is taken before the join is awaited: subscriptions sent together would otherwise
      // all pass the check above before any of them counted.
      subscribed.add(code);
      try {
        const reply = await deps.hub.join(socket.id, code);
        if (!reply) {
          if (reserved) subscribed.delete(code);
          return ack(fail('unknown_region', `unknown region ${code}`));
        }
        ack(reply.ack(socket.data.publicMode).asSent());
        // A named wall's record says what it shows (the console's 大屏调度 table reads it).
        deps.onSubscribed?.(socket, code);
      } catch (err) {
        if (reserved) subscribed.delete(code);
        deps.logger.error({ err, code }, 'subscribe failed');
        ack(fail('unavailable', 'snapshot not available, try again'));
      }
    });

    socket.on('unsubscribe', async (region, ack) => {
      if (typeof region === 'string' && subscribed.delete(region)) await deps.hub.leave(socket.id, region);
      if (typeof ack === 'function') ack(ok(null));
    });
  });
}
