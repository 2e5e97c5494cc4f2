import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Ingest keys, one per source system. Only their SHA-256 digests are kept (keys are long random
 * strings, so a fast hash is enough); the key decides `source`, the body never does.
 */
export class IngestKeys {
  private readonly fixed = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly hashKey: string,
    configured: { source: string; key: string }[],
  ) {
    for (const { source, key } of configured) this.fixed.set(digest(key), source);
  }

  /** The source a key belongs to, or undefined for an unknown or revoked key. */
  async sourceFor(key: string): Promise<string | undefined> {
    const d = digest(key);
    for (const [known, source] of this.fixed) {
      if (timingSafeEqual(Buffer.from(known), Buffer.from(d))) return source;
    }
    const stored = await this.redis.hget(this.hashKey, d);
    if (!stored) return undefined;
    const rec = JSON.parse(stored) as { source: string; revokedAt?: string };
    return rec.revokedAt ? undefined : rec.source;
  }

  /** Registers a key created by an admin (issue of keys lives in the admin API). */
  async add(source: string, key: string, createdBy: string): Promise<void> {
    await this.redis.hset(this.hashKey, digest(key), JSON.stringify({ source, createdBy, createdAt: new Date().toISOString() }));
  }
}
