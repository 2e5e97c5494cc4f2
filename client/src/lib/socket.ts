import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/events.ts';

export type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The wall's one Socket.IO connection (same origin; the dev server proxies /socket.io). The token
 * is read at every (re)connection, so a re-login is picked up without a reload. WebSocket first;
 * long-polling only where a proxy refuses the upgrade.
 */
export function createWallSocket(getToken: () => string | null): WallSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: getToken() ?? '' }),
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
    autoConnect: false,
  });
}

/** connect_error from the handshake middleware (`next(new Error('unauthenticated'))`). */
export function isAuthError(err: unknown): boolean {
  const e = err as { message?: unknown; data?: { code?: unknown } } | null;
  return e?.message === 'unauthenticated' || e?.data?.code === 'unauthenticated';
}
