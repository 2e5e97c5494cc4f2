import type { RedisClient } from '../redis/connection.ts';
import { Users, type UserRecord } from './users.ts';

/** What a token check needs from Redis: the account, and whether the token's id is revoked. */
export interface AccountState {
  user: UserRecord | undefined;
  revoked: boolean;
}

/**
 * The account reads of the token checks asked for in one turn of the event loop, sent as one
 * pipeline when the turn ends. After a restart every screen connects at once, and each one's
 * handshake and re-check cost two commands, each written to the socket on its own: in a
 * 1,000-screen storm those writes were a tenth of the server's main thread. A read is never older
 * than the call that asked for it (the pipeline leaves after the call), so no check sees staler
 * state than before; the same user or token id asked twice in one turn is read once.
 *
 * Every key is under the deployment's hash tag, so the pipeline stays in one cluster slot.
 */
export class AccountReads {
  private pending: { username: string; tokenId: string; done: (s: AccountState | Error) => void }[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly users: Users,
    private readonly revokedKey: (tokenId: string) => string,
  ) {}

  read(username: string, tokenId: string): Promise<AccountState> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ username, tokenId, done: (s) => (s instanceof Error ? reject(s) : resolve(s)) });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    // Each distinct read once; each check's two replies by their place in the pipeline.
    const at = new Map<string, number>();
    const pipeline = this.redis.pipeline();
    const place = (key: string, queue: (k: string) => unknown) => {
      let i = at.get(key);
      if (i === undefined) {
        at.set(key, (i = at.size));
        queue(key);
      }
      return i;
    };
    const places = batch.map(({ username, tokenId }) => ({
      user: place(this.users.key(username), (k) => pipeline.hgetall(k)),
      revoked: place(this.revokedKey(tokenId), (k) => pipeline.exists(k)),
    }));
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      for (const p of batch) p.done(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    batch.forEach((p, i) => {
      const [userErr, hash] = replies[places[i]!.user] ?? [new Error('no reply')];
      const [revokedErr, exists] = replies[places[i]!.revoked] ?? [new Error('no reply')];
      const err = userErr ?? revokedErr;
      if (err) p.done(err);
      else p.done({ user: Users.fromHash(hash as Record<string, string>), revoked: exists === 1 });
    });
  }
}
