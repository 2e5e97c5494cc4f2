import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { SnapshotReuse } from '../aggregate/snapshot.ts';
import type { RedisTarget } from '../redis/target.ts';

/** What the server hands its snapshot thread at start (structured-cloned). */
export interface SnapshotThreadData {
  redis: RedisTarget;
  regionRoot: string;
  /** The provinces a national deployment serves (the tree the server loaded). */
  provinces?: readonly string[];
  staleCaseMs: number;
  /** A read gives up on Redis after this, as the server's own serving connection does. */
  commandTimeoutMs: number;
  logLevel: string;
  prettyLog: boolean;
}

export type ToSnapshotThread =
  { type: 'read'; id: number; code: string; now: number; reuse?: SnapshotReuse } | { type: 'stop' };

export type FromSnapshotThread =
  | { type: 'ready' }
  /** `snapshot` null: no such region; `error`: the read failed (its name and message). */
  | { type: 'read'; id: number; snapshot?: Snapshot | null; error?: { name: string; message: string } };
