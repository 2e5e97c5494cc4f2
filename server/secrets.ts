import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Secrets {
  /** Signs user tokens. */
  tokenSecret: string;
  /** The demo ingest key used when INGEST_KEYS is not set (source `demo`). */
  demoIngestKey: string;
}

/** Secrets generated at first start and kept in DATA_DIR (mode 0600), so restarts keep sessions and keys. */
export function loadSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
  } catch {
    const s: Secrets = {
      tokenSecret: randomBytes(32).toString('base64url'),
      demoIngestKey: `demo_${randomBytes(24).toString('base64url')}`,
    };
    fs.writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
    return s;
  }
}
