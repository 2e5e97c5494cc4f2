import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
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

/** The claims this server signs, beside the registered ones (sub, jti, iat, exp). */
interface Claims {
  sub?: unknown;
  jti?: unknown;
  exp?: unknown;
  tv?: unknown;
}

/**
 * HS256 tokens (fast-jwt). A token is valid while its signature and expiry hold, its user is enabled,
 * the user's token version has not moved (password reset, disable) and its id is not revoked.
 *
 * fast-jwt signs and verifies with node:crypto's HMAC on the calling thread: a verify costs 5–25 µs
 * of CPU, against 70–180 µs for jose's asynchronous WebCrypto job, which was a tenth of the main
 * thread in a reconnect storm's profile (docs/benchmarks.md, `storm`). The tokens are the same
 * compact HS256 JWS either way, so a wall's token issued before the change still verifies.
 */
export class Tokens {
  private readonly key: Buffer;
  private readonly sign: (payload: Record<string, unknown>) => string;
  /** The account and revocation reads of the checks of one event-loop turn, in one pipeline. */
  private readonly accounts: AccountReads;

  constructor(
    secret: Uint8Array,
    users: Users,
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {
    this.key = Buffer.from(secret);
    this.sign = createSigner({ key: this.key, algorithm: 'HS256' });
    this.accounts = new AccountReads(redis, users, (jti) => this.revokedKey(jti));
  }

  private revokedKey(jti: string): string {
    return `${this.prefix}revoked:${jti}`;
  }

  async issue(user: UserRecord): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(this.clock.now() / 1000);
    const expiresAt = now + LIFETIME_S[user.role];
    const token = this.sign({
      role: user.role,
      region: user.region,
      tv: user.tokenVersion,
      sub: user.username,
      jti: randomUUID(),
      iat: now,
      exp: expiresAt,
    });
    return { token, expiresAt };
  }

  async verify(token: string): Promise<Principal | undefined> {
    let payload: Claims;
    try {
      // A verifier per call: its clock is fixed when it is made, and this server's clock is a
      // dependency (tests move it). Making one costs a few microseconds.
      payload = createVerifier({
        key: this.key,
        algorithms: ['HS256'],
        clockTimestamp: this.clock.now(),
        requiredClaims: ['exp'],
        cache: false,
      })(token) as Claims;
    } catch {
      return undefined;
    }
    const { sub, jti, exp, tv } = payload;
    if (
      typeof sub !== 'string' ||
      !sub ||
      typeof jti !== 'string' ||
      !jti ||
      typeof exp !== 'number' ||
      typeof tv !== 'number'
    )
      return undefined;
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
