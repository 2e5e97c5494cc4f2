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
    let done = false;
    const fail = (err: Error) => {
      settle();
      s.close();
      reject(err);
    };
    // A server that drops the transport during the handshake (an oversized packet) sends no
    // error. A refused handshake closes the manager just before its connect_error: let that win.
    const onClose = (reason: string) => setTimeout(() => done || fail(new Error(reason)), 0);
    const onConnect = () => {
      settle();
      resolve(s);
    };
    const settle = () => {
      done = true;
      s.off('connect', onConnect);
      s.off('connect_error', fail);
      s.io.off('close', onClose);
    };
    s.once('connect', onConnect);
    s.once('connect_error', fail);
    s.io.once('close', onClose);
  });
}

/**
 * Sends `["<event>", ...args]` as raw JSON text, past the client's own encoder (which cannot
 * even encode some hostile payloads), and resolves with the acknowledgement's first argument.
 */
export function rawEmitWithAck(s: TestSocket, argsJson: string, ms = 5000): Promise<unknown> {
  const id = 900_000 + Math.floor(Math.random() * 99_999);
  const engine = s.io.engine;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      engine.off('message', onMessage);
      reject(new Error(`no acknowledgement within ${ms} ms`));
    }, ms);
    const onMessage = (data: unknown) => {
      if (typeof data !== 'string' || !data.startsWith(`3${id}`)) return;
      clearTimeout(timer);
      engine.off('message', onMessage);
      resolve((JSON.parse(data.slice(`3${id}`.length)) as unknown[])[0]);
    };
    engine.on('message', onMessage);
    // Engine.IO message packet ("4") carrying a Socket.IO EVENT ("2") with an ack id.
    engine.write(`2${id}${argsJson}`);
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
