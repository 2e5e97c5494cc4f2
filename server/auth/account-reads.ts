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
    const userAt = new Map<string, number>();
    const revokedAt = new Map<string, number>();
    const pipeline = this.redis.pipeline();
    let n = 0;
    for (const { username, tokenId } of batch) {
      const key = this.users.key(username);
      if (!userAt.has(key)) {
        userAt.set(key, n++);
        pipeline.hgetall(key);
      }
      if (!revokedAt.has(tokenId)) {
        revokedAt.set(tokenId, n++);
        pipeline.exists(this.revokedKey(tokenId));
      }
    }
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      for (const p of batch) p.done(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const p of batch) {
      const [userErr, hash] = replies[userAt.get(this.users.key(p.username))!] ?? [new Error('no reply')];
      const [revokedErr, exists] = replies[revokedAt.get(p.tokenId)!] ?? [new Error('no reply')];
      const err = userErr ?? revokedErr;
      if (err) p.done(err);
      else p.done({ user: Users.fromHash(hash as Record<string, string>), revoked: exists === 1 });
    }
  }
}
