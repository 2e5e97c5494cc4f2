import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import type { IngestKeyView } from '../../shared/schemas/admin.ts';

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The public name of a key: a prefix of its digest (the digest itself reveals nothing of the key). */
const idOf = (d: string) => d.slice(0, 16);

/** The Redis hash of the keys made through the admin API (digest → record), under the province prefix. */
export const ingestKeysHash = (prefix: string) => `${prefix}ingest-keys`;

/**
 * The region each source system's stored keys bind it to: the smallest region holding the areas
 * of its live keys, or null when one of them is unbound (the whole tree). Sources known only from
 * INGEST_KEYS are not listed (those keys are unbound and live outside Redis).
 */
export async function sourceBindings(redis: RedisClient, hashKey: string): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const raw of Object.values(await redis.hgetall(hashKey))) {
    const rec = JSON.parse(raw) as StoredKey;
    if (rec.revokedAt) continue;
    const before = out.get(rec.source);
    if (!rec.region || before === null) out.set(rec.source, null);
    else out.set(rec.source, before === undefined ? rec.region : sharedPrefixRegion(before, rec.region));
  }
  return out;
}

/** The smallest region holding two regions (their common ancestor). */
function sharedPrefixRegion(a: string, b: string): string {
  for (const len of [12, 9, 6, 4, 2])
    if (a.slice(0, len) === b.slice(0, len) && a.length >= len && b.length >= len) return a.slice(0, len);
  return a.slice(0, 2);
}

/** What a valid key grants. */
export interface IngestGrant {
  id: string;
  source: string;
  /** Events must lie in this region's subtree; undefined means the whole served tree. */
  region?: string;
}

export type { IngestKeyView };

interface StoredKey {
  source: string;
  region?: string;
  createdBy: string;
  createdAt: string;
  revokedAt?: string;
  revokedBy?: string;
}

/**
 * Ingest keys, one per source system. Only their SHA-256 digests are kept (keys are long random
 * strings, so a fast hash is enough); the key decides `source`, the body never does. Keys created
 * through the admin API live in a Redis hash (digest → record) and can be bound to a region.
 */
export class IngestKeys {
  private readonly fixed = new Map<string, string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly hashKey: string,
    configured: { source: string; key: string }[],
    private readonly now: () => number = Date.now,
  ) {
    for (const { source, key } of configured) this.fixed.set(digest(key), source);
  }

  /** What a key grants, or undefined for an unknown or revoked key. */
  async lookup(key: string): Promise<IngestGrant | undefined> {
    const d = digest(key);
    for (const [known, source] of this.fixed) {
      if (timingSafeEqual(Buffer.from(known), Buffer.from(d))) return { id: idOf(d), source };
    }
    const stored = await this.redis.hget(this.hashKey, d);
    if (!stored) return undefined;
    const rec = JSON.parse(stored) as StoredKey;
    if (rec.revokedAt) return undefined;
    return { id: idOf(d), source: rec.source, ...(rec.region ? { region: rec.region } : {}) };
  }

  /** The source a key belongs to, or undefined for an unknown or revoked key. */
  async sourceFor(key: string): Promise<string | undefined> {
    return (await this.lookup(key))?.source;
  }

  /** Registers a key chosen elsewhere. */
  async add(source: string, key: string, createdBy: string, region?: string): Promise<string> {
    const d = digest(key);
    const rec: StoredKey = {
      source,
      createdBy,
      createdAt: new Date(this.now()).toISOString(),
      ...(region ? { region } : {}),
    };
    await this.redis.hset(this.hashKey, d, JSON.stringify(rec));
    return idOf(d);
  }

  /** Makes a new random key; the caller shows it once, only its digest is kept. */
  async create(source: string, createdBy: string, region?: string): Promise<{ id: string; key: string }> {
    const key = `ik_${randomBytes(32).toString('base64url')}`;
    return { id: await this.add(source, key, createdBy, region), key };
  }

  async list(): Promise<IngestKeyView[]> {
    const all = await this.redis.hgetall(this.hashKey);
    const out: IngestKeyView[] = [...this.fixed].map(([d, source]) => ({
      id: idOf(d),
      source,
      createdBy: 'INGEST_KEYS',
      createdAt: '',
      configured: true,
    }));
    for (const [d, raw] of Object.entries(all)) out.push({ id: idOf(d), ...(JSON.parse(raw) as StoredKey) });
    return out;
  }

  async get(id: string): Promise<IngestKeyView | undefined> {
    return (await this.list()).find((k) => k.id === id);
  }

  /** Revokes a stored key; false when there is no such key or it was revoked before. */
  async revoke(id: string, revokedBy: string): Promise<boolean> {
    const all = await this.redis.hgetall(this.hashKey);
    const d = Object.keys(all).find((k) => idOf(k) === id);
    if (!d) return false;
    const rec = JSON.parse(all[d]!) as StoredKey;
    if (rec.revokedAt) return false;
    rec.revokedAt = new Date(this.now()).toISOString();
    rec.revokedBy = revokedBy;
    await this.redis.hset(this.hashKey, d, JSON.stringify(rec));
    return true;
  }
}
