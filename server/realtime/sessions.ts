import type { IO } from './hub.ts';
import { tokenRoom, userRoom } from './rooms.ts';

/** Why a live session ended; sent to the client with `session:ended`. */
export type SessionEndReason = 'logged_out' | 'revoked' | 'disabled' | 'password_changed' | 'expired';

export interface SessionEnder {
  /** Set once the Socket.IO server exists (routes are built before it). */
  attach(io: IO): void;
  /** Every socket of the user, on every process. */
  endUser(username: string, reason: SessionEndReason): void;
  /** Every socket opened with one token, on every process. */
  endToken(tokenId: string, reason: SessionEndReason): void;
  /** Drops the user's sockets without ending the session: they reconnect and pick up changed settings. */
  reconnectUser(username: string): void;
}

/**
 * Live sockets follow the account: when a token stops being valid its sockets are told why and
 * disconnected at once, not at their next reconnect. Both calls go through the Redis adapter, on
 * one publishing connection, so every process gets the notice before the disconnect.
 */
export function createSessionEnder(): SessionEnder {
  let io: IO | undefined;
  const end = (room: string, reason: SessionEndReason) => {
    if (!io) return;
    io.to(room).emit('session:ended', reason);
    io.in(room).disconnectSockets(true);
  };
  return {
    attach(server) {
      io = server;
    },
    endUser: (username, reason) => end(userRoom(username), reason),
    endToken: (tokenId, reason) => end(tokenRoom(tokenId), reason),
    reconnectUser: (username) => io?.in(userRoom(username)).disconnectSockets(true),
  };
}
