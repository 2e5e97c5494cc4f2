import { regionRoom } from '../../shared/events.ts';

/**
 * Room names the server uses besides `region:<code>` (shared/events.ts). Every socket of a user
 * sits in its user room and its token room, so ending a session reaches every process's sockets
 * through the Redis adapter with one call.
 */
export const userRoom = (username: string) => `user:${username.toLowerCase()}`;
export const tokenRoom = (tokenId: string) => `token:${tokenId}`;

/**
 * Public-mode sockets of a region sit in the region room (deltas carry only counts) and in this
 * room too; text that can carry personal data goes to them as masked copies.
 */
export const publicRoom = (code: string) => `${regionRoom(code)}:public`;
