import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { RedisClient } from '../redis/connection.ts';
import type { Role } from '../../shared/schemas/user.ts';
import type { Clock } from '../clock.ts';
import type { Users, UserRecord } from './users.ts';
import { AccountReads } from './account-reads.ts';

/** Who is asking, as established from a verified token. */
export interface Principal {
  username: string;
  role: Role;
  region: string;
  tokenId: string;
  /** Epoch seconds. */
  expiresAt: number;
  /** The account is a public-facing screen: personal data is masked for it everywhere. */
  publicMode: boolean;
  /** Role `department`: the registry id it acts for. */
  department?: string;
  /** The account's token version the token was issued under (a password reset or disable moves it). */
  tokenVersion: number;
}

/** Walls run unattended for weeks; people at desks log in per shift. */
const LIFETIME_S: Record<Role, number> = {
  wall: 30 * 86_400,
  duty: 12 * 3600,
  commander: 12 * 3600,
  admin: 2 * 3600,
  department: 12 * 3600,
};

/**
 * HS256 tokens (jose). A token is valid while its signature and expiry hold, its user is enabled,
 * the user's token version has not moved (password reset, disable) and its id is not revoked.
 */
export class Tokens {
  /**
   * The HMAC key imported once: given raw bytes, jose imports them into WebCrypto on every sign and
   * verify (a quarter of a verify's cost in a reconnect storm's profile).
   */
  private readonly key: Promise<CryptoKey>;
  /** The account and revocation reads of the checks of one event-loop turn, in one pipeline. */
  private readonly accounts: AccountReads;

  constructor(
    secret: Uint8Array,
    users: Users,
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    this.accounts = new AccountReads(redis, users, (jti) => this.revokedKey(jti));
  }

  private revokedKey(jti: string): string {
    return `${this.prefix}revoked:${jti}`;
  }

  async issue(user: UserRecord): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(this.clock.now() / 1000);
    const expiresAt = now + LIFETIME_S[user.role];
    const token = await new SignJWT({ role: user.role, region: user.region, tv: user.tokenVersion })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.username)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(await this.key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<Principal | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      }));
    } catch {
      return undefined;
    }
    const { sub, jti, exp, tv } = payload;
    if (!sub || !jti || typeof exp !== 'number' || typeof tv !== 'number') return undefined;
    const user = await this.current({ username: sub, tokenId: jti, tokenVersion: tv });
    if (!user) return undefined;
    return {
      username: user.username,
      role: user.role,
      region: user.region,
      tokenId: jti,
      expiresAt: exp,
      publicMode: user.publicMode,
      ...(user.department ? { department: user.department } : {}),
      tokenVersion: tv,
    };
  }

  /**
   * Whether a token verified before is still good: its user enabled, its version current, its id
   * not revoked. The signature and expiry never change, so they are not checked again (a socket
   * looks once more after joining its session rooms, and its expiry has a timer of its own).
   */
  async stillValid(p: Pick<Principal, 'username' | 'tokenId' | 'tokenVersion'>): Promise<boolean> {
    return (await this.current(p)) !== undefined;
  }

  private async current(p: Pick<Principal, 'username' | 'tokenId' | 'tokenVersion'>): Promise<UserRecord | undefined> {
    try {
      const { user, revoked } = await this.accounts.read(p.username, p.tokenId);
      return !user || user.disabled || revoked || user.tokenVersion !== p.tokenVersion ? undefined : user;
    } catch {
      return undefined;
    }
  }

  /** Revokes one token until it would have expired anyway. */
  async revoke(tokenId: string, expiresAt: number): Promise<void> {
    const ttl = Math.max(1, expiresAt - Math.floor(this.clock.now() / 1000));
    await this.redis.set(this.revokedKey(tokenId), '1', 'EX', ttl);
  }
}
