import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/events.ts';
import type { Ack } from '../../shared/ack.ts';
import type { Snapshot } from '../../shared/schemas/snapshot.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A real socket.io client over WebSocket. Resolves once connected, or rejects with the handshake's
 * error (`unauthenticated`, or a refused origin). Close it with `s.close()`.
 */
export function openSocket(
  url: string,
  auth: { token: string; public?: boolean },
  opts: { origin?: string } = {},
): Promise<TestSocket> {
  const s: TestSocket = connect(url, {
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
    ...(opts.origin ? { extraHeaders: { origin: opts.origin } } : {}),
  });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}

export function subscribe(s: TestSocket, code: string): Promise<Ack<Snapshot>> {
  return s.timeout(5000).emitWithAck('subscribe', code);
}

/** The next `event` on the socket, or a rejection after `ms`. */
export function next<E extends keyof ServerToClientEvents>(
  s: TestSocket,
  event: E,
  ms = 5000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, ((v: Parameters<ServerToClientEvents[E]>[0]) => {
      clearTimeout(timer);
      resolve(v);
    }) as never);
  });
}
