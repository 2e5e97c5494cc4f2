import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis/connection.ts';

export interface Secrets {
  /** The demo ingest key used when INGEST_KEYS is not set (source `demo`). */
  demoIngestKey: string;
}

/** Secrets of this installation kept in DATA_DIR (mode 0600), so restarts keep the printed demo key. */
export function loadSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
    if (s.demoIngestKey) return { demoIngestKey: s.demoIngestKey };
  } catch {
    /* first start */
  }
  const s: Secrets = { demoIngestKey: `demo_${randomBytes(24).toString('base64url')}` };
  fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

/**
 * The key that signs user tokens lives in Redis, created once by whichever process starts first:
 * every server process behind a load balancer must accept every other's tokens.
 */
export async function sharedTokenSecret(redis: RedisClient, key: string): Promise<Uint8Array> {
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error('token secret missing from Redis');
  return new TextEncoder().encode(secret);
}
