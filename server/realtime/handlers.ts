import { z } from 'zod';
import { fail, ok } from '../../shared/ack.ts';
import { isRegionCode } from '../../shared/regions.ts';
import type { Tokens } from '../auth/tokens.ts';
import { inScope } from '../auth/scope.ts';
import type { RegionTree } from '../regions/tree.ts';
import type { Logger } from '../log.ts';
import type { Hub, IO } from './hub.ts';

export const MAX_SUBSCRIPTIONS = 8;

const regionArg = z.string().max(12);

/** Handshake authentication and the subscribe/unsubscribe handlers; every check on the server. */
export function wireSocketHandlers(io: IO, deps: { tokens: Tokens; tree: RegionTree; hub: Hub; logger: Logger }): void {
  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const p = typeof token === 'string' ? await deps.tokens.verify(token) : undefined;
    if (!p) return next(new Error('unauthenticated'));
    socket.data = { username: p.username, role: p.role, region: p.region, tokenId: p.tokenId, publicMode: false };
    next();
  });

  io.on('connection', (socket) => {
    const subscribed = new Set<string>();

    socket.on('subscribe', async (region, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = regionArg.safeParse(region);
      if (!parsed.success || !isRegionCode(parsed.data)) return ack(fail('bad_request', 'subscribe takes a region code'));
      const code = parsed.data;
      if (!deps.tree.has(code)) return ack(fail('unknown_region', `unknown region ${code}`));
      if (!inScope(socket.data, code))
        return ack(fail('out_of_scope', `region ${code} is outside your area`));
      if (!subscribed.has(code) && subscribed.size >= MAX_SUBSCRIPTIONS)
        return ack(fail('too_many_subscriptions', `at most ${MAX_SUBSCRIPTIONS} regions per connection`));
      try {
        const snap = await deps.hub.join(socket.id, code);
        if (!snap) return ack(fail('unknown_region', `unknown region ${code}`));
        subscribed.add(code);
        ack(ok(snap));
      } catch (err) {
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
