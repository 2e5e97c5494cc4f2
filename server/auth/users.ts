import type { RedisClient } from '../redis/connection.ts';
import type { Role, UserView } from '../../shared/schemas/user.ts';
import { isWithin } from '../../shared/regions.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { scanKeys } from '../redis/scan.ts';

export interface UserRecord extends UserView {
  passwordHash: string;
  /** Public mode forced by the account (a wall facing visitors): the server masks personal data. */
  publicMode: boolean;
  /** Raised to end every token issued before (password reset, disable). */
  tokenVersion: number;
  createdAt: string;
}

/** Accounts in Redis, one hash per user. */
export class Users {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** The user's hash (the token checks read it in their own pipeline, `account-reads.ts`). */
  key(username: string): string {
    return `${this.prefix}user:${username.toLowerCase()}`;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    return Users.fromHash(await this.redis.hgetall(this.key(username)));
  }

  /** A user's hash as HGETALL returns it; undefined when there is no such user. */
  static fromHash(h: Record<string, string>): UserRecord | undefined {
    if (!h.username) return undefined;
    return {
      username: h.username,
      role: h.role as Role,
      region: h.region!,
      disabled: h.disabled === '1',
      publicMode: h.publicMode === '1',
      passwordHash: h.passwordHash!,
      tokenVersion: Number(h.tokenVersion ?? 0),
      createdAt: h.createdAt!,
      ...(h.department ? { department: h.department } : {}),
    };
  }

  /** Creates a user; false when the name is taken. */
  async create(u: {
    username: string;
    password: string;
    role: Role;
    region: string;
    publicMode?: boolean;
    /** Role `department`: its registry id (the route checks it exists in the region's registry). */
    department?: string;
  }): Promise<boolean> {
    const passwordHash = await hashPassword(u.password);
    const created = await this.redis.hsetnx(this.key(u.username), 'username', u.username.toLowerCase());
    if (!created) return false;
    await this.redis.hset(this.key(u.username), {
      role: u.role,
      region: u.region,
      passwordHash,
      tokenVersion: 0,
      disabled: 0,
      publicMode: u.publicMode ? 1 : 0,
      createdAt: new Date().toISOString(),
      ...(u.department ? { department: u.department } : {}),
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
    const ok = await verifyPassword(
      password,
      u?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    );
    return ok && u && !u.disabled ? u : undefined;
  }

  async setPassword(username: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    // One step: there must be no moment where the new password works and old tokens still do.
    await this.redis
      .multi()
      .hset(this.key(username), 'passwordHash', passwordHash)
      .hincrby(this.key(username), 'tokenVersion', 1)
      .exec();
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(username), 'disabled', disabled ? 1 : 0)
      .hincrby(this.key(username), 'tokenVersion', 1)
      .exec();
  }

  async setPublicMode(username: string, publicMode: boolean): Promise<void> {
    await this.redis.hset(this.key(username), 'publicMode', publicMode ? 1 : 0);
  }

  /** Ends every token issued so far (forced sign-out). */
  async endSessions(username: string): Promise<void> {
    await this.redis.hincrby(this.key(username), 'tokenVersion', 1);
  }

  /** Every account whose home region lies in `root`'s subtree, by name. SCAN: accounts are few, listing is rare. */
  async list(root: string): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for await (const keys of scanKeys(this.redis, `${this.prefix}user:*`)) {
      for (const key of keys) {
        const u = await this.get(key.slice(`${this.prefix}user:`.length));
        if (u && isWithin(u.region, root)) out.push(u);
      }
    }
    return out.sort((a, b) => a.username.localeCompare(b.username));
  }
}
