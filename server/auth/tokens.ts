import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { RedisClient } from '../redis/connection.ts';
import type { Role } from '../../shared/schemas/user.ts';
import type { Clock } from '../clock.ts';
import type { Users, UserRecord } from './users.ts';

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
  constructor(
    private readonly secret: Uint8Array,
    private readonly users: Users,
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

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
      .sign(this.secret);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<Principal | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      });
      if (!payload.sub || !payload.jti || typeof payload.exp !== 'number') return undefined;
      const [user, revoked] = await Promise.all([
        this.users.get(payload.sub),
        this.redis.exists(this.revokedKey(payload.jti)),
      ]);
      if (!user || user.disabled || revoked || user.tokenVersion !== payload.tv) return undefined;
      return {
        username: user.username,
        role: user.role,
        region: user.region,
        tokenId: payload.jti,
        expiresAt: payload.exp,
        publicMode: user.publicMode,
        ...(user.department ? { department: user.department } : {}),
      };
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
