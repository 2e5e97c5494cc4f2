import type { Redis } from 'ioredis';
import type { Role, UserView } from '../../shared/schemas/user.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export interface UserRecord extends UserView {
  passwordHash: string;
  /** Raised to end every token issued before (password reset, disable). */
  tokenVersion: number;
  createdAt: string;
}

/** Accounts in Redis, one hash per user. */
export class Users {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(username: string): string {
    return `${this.prefix}user:${username.toLowerCase()}`;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const h = await this.redis.hgetall(this.key(username));
    if (!h.username) return undefined;
    return {
      username: h.username,
      role: h.role as Role,
      region: h.region!,
      disabled: h.disabled === '1',
      passwordHash: h.passwordHash!,
      tokenVersion: Number(h.tokenVersion ?? 0),
      createdAt: h.createdAt!,
    };
  }

  /** Creates a user; false when the name is taken. */
  async create(u: { username: string; password: string; role: Role; region: string }): Promise<boolean> {
    const passwordHash = await hashPassword(u.password);
    const created = await this.redis.hsetnx(this.key(u.username), 'username', u.username.toLowerCase());
    if (!created) return false;
    await this.redis.hset(this.key(u.username), {
      role: u.role,
      region: u.region,
      passwordHash,
      tokenVersion: 0,
      disabled: 0,
      createdAt: new Date().toISOString(),
    });
    return true;
  }

  async exists(username: string): Promise<boolean> {
    return (await this.redis.exists(this.key(username))) === 1;
  }

  /** The user when the password matches and the account is enabled. */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    const u = await this.get(username);
    // Hash anyway when the user is unknown, so timing does not tell which names exist.
    const ok = await verifyPassword(password, u?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    return ok && u && !u.disabled ? u : undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    await this.redis.hset(this.key(username), 'passwordHash', await hashPassword(password));
    await this.redis.hincrby(this.key(username), 'tokenVersion', 1);
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    await this.redis.hset(this.key(username), 'disabled', disabled ? 1 : 0);
    await this.redis.hincrby(this.key(username), 'tokenVersion', 1);
  }
}
