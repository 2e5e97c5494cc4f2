import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/events.ts';

export type WallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface WallSocketOptions {
  /**
   * A visitor-facing screen (`?public=1`): the server masks names, phone numbers and ids in
   * everything it sends to this connection. A screen can ask for masking, never out of it.
   */
  public?: boolean;
  /**
   * A named wall (`?wall=主屏&group=会商&main=1&quiet=1`): registered with the server in the
   * handshake, so the console can put things up on it (一键上墙).
   */
  wall?: { name: string; group?: string; main?: boolean; quiet?: boolean };
}

/**
 * The wall's one Socket.IO connection (same origin; the dev server proxies /socket.io). The token
 * is read at every (re)connection, so a re-login is picked up without a reload. WebSocket first;
 * long-polling only where a proxy refuses the upgrade.
 */
export function createWallSocket(getToken: () => string | null, opts: WallSocketOptions = {}): WallSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    auth: (cb) =>
      cb({
        token: getToken() ?? '',
        ...(opts.public ? { public: true } : {}),
        ...(opts.wall
          ? {
              wall: opts.wall.name,
              ...(opts.wall.group ? { group: opts.wall.group } : {}),
              ...(opts.wall.main ? { main: true } : {}),
              ...(opts.wall.quiet ? { quiet: true } : {}),
            }
          : {}),
      }),
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

type Listener = (...args: never[]) => void;

/** The events a screen listens to: the connection's own and the server's (shared/events.ts). */
export type SocketHandlers = {
  connect?: () => void;
  disconnect?: (reason: string) => void;
  connect_error?: (err: Error) => void;
} & { [K in keyof ServerToClientEvents]?: ServerToClientEvents[K] };

/**
 * Adds the handlers, and `onPing` for Engine.IO's heartbeats (proof of life when a quiet region sends
 * nothing), and returns the one teardown that removes exactly them.
 */
export function listen(
  s: Pick<WallSocket, 'on' | 'off' | 'io'>,
  handlers: SocketHandlers,
  onPing?: () => void,
): () => void {
  const pairs = Object.entries(handlers).filter((p): p is [string, Listener] => typeof p[1] === 'function');
  const on = s.on as unknown as (event: string, fn: Listener) => void;
  const off = s.off as unknown as (event: string, fn: Listener) => void;
  for (const [event, fn] of pairs) on.call(s, event, fn);
  if (onPing) s.io.on('ping', onPing);
  return () => {
    for (const [event, fn] of pairs) off.call(s, event, fn);
    if (onPing) s.io.off('ping', onPing);
  };
}
