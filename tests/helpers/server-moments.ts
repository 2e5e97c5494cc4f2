import type { PinganServer } from '../../server/app.ts';
import type { ServerSocket } from '../../server/realtime/hub.ts';

/** One event the server wrote to a socket, at the server's own moment (epoch ms). */
export interface SentEvent {
  at: number;
  event: string;
  arg: unknown;
  /** The registered wall id of the socket, if it is a named wall. */
  wall: string | undefined;
  user: string;
}

export interface ServerMoments {
  /** When the server finished answering the latest request to `path` (epoch ms), 0 if none. */
  answered(path: string): number;
  /** When the latest request to `path` reached the server's handler (epoch ms), 0 if none. */
  arrived(path: string): number;
  /** The first matching event written to a socket since `from` (epoch ms). */
  sent(match: (e: SentEvent) => boolean, from?: number): SentEvent | undefined;
  stop(): void;
}

/**
 * The server's own moments, read inside its process (the test server runs in the test's): when it
 * answered a request, and when it wrote an event to a socket (socket.io's `onAnyOutgoing`, which
 * fires for direct emits and room broadcasts as the packet goes to the transport). A browser test
 * adds the page's own time on top, so a renderer the machine did not schedule is not counted as
 * the product's. Only the events named are kept.
 */
export function watchServerMoments(server: PinganServer, events: readonly string[]): ServerMoments {
  const arrived = new Map<string, number>();
  const answered = new Map<string, number>();
  const log: SentEvent[] = [];
  const onRequest = (req: { url?: string }, res: { on(e: 'finish', f: () => void): void }) => {
    const path = (req.url ?? '').split('?')[0]!;
    arrived.set(path, Date.now());
    res.on('finish', () => answered.set(path, Date.now()));
  };
  server.httpServer.prependListener('request', onRequest);
  const watch = (s: ServerSocket) =>
    s.onAnyOutgoing((event: string, arg: unknown) => {
      if (!events.includes(event)) return;
      log.push({ at: Date.now(), event, arg, wall: s.data.wall, user: s.data.username });
      if (log.length > 500) log.shift();
    });
  for (const s of server.io.sockets.sockets.values()) watch(s);
  server.io.on('connection', watch);
  return {
    answered: (path) => answered.get(path) ?? 0,
    arrived: (path) => arrived.get(path) ?? 0,
    sent: (match, from = 0) => log.find((e) => e.at >= from && match(e)),
    stop() {
      server.httpServer.off('request', onRequest);
      server.io.off('connection', watch);
    },
  };
}
