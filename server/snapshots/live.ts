import type { Snapshot } from '../../shared/schemas/snapshot.ts';
import type { Clock } from '../clock.ts';
import type { RedisClient } from '../redis/connection.ts';
import type { KeyRing } from '../redis/keys.ts';
import type { RegionTree } from '../regions/tree.ts';
import { readSnapshot, type SnapshotReuse } from '../aggregate/snapshot.ts';
import { countiesUnder } from '../aggregate/case-index.ts';
import { localCases } from '../aggregate/case-list.ts';
import { countStale } from '../aggregate/stale-cases.ts';
import { AlertStore } from '../alerts/store.ts';
import { alertKeys } from '../alerts/keys.ts';
import { alertDigest } from '../alerts/service.ts';
import { ProblemStore } from '../problems/store.ts';
import { problemDigest } from '../problems/service.ts';

/** A region's snapshot at `now` (undefined: no such region), `reuse`'s parts taken as they are. */
export type ReadLiveSnapshot = (code: string, now: number, reuse?: SnapshotReuse) => Promise<Snapshot | undefined>;

export interface LiveSnapshotSources {
  redis: RedisClient;
  ring: KeyRing;
  tree: RegionTree;
  /** Open cases older than this are 久拖 (config STALE_CASE_DAYS). */
  staleCaseMs: number;
  clock: Clock;
}

/**
 * What a screen is shown of a region, read from Redis: the counters, the open alerts, the problem
 * register's digest, a low level's latest cases and the 久拖 counts, all as of the `now` asked
 * for. Built alike on the server's thread and on the snapshot thread (thread.ts), so both read the
 * same things the same way; nothing in it reads a clock of its own.
 */
export function liveSnapshots(o: LiveSnapshotSources): ReadLiveSnapshot {
  const { redis, ring, tree, staleCaseMs } = o;
  const counties = countiesUnder(tree);
  const alerts = new AlertStore(redis, alertKeys(ring.root), o.clock);
  const problems = new ProblemStore(redis, ring.root.problems);
  const regionName = (c: string) => tree.get(c)?.name;
  return (code, now, reuse) =>
    readSnapshot(
      {
        redis,
        keys: ring,
        region: (c) => tree.info(c),
        alerts: (c, kids) => alertDigest(alerts, c, kids, now),
        problems: (c, kids) => problemDigest(problems, c, kids, now),
        cases: (c) =>
          localCases({ redis, keys: ring, regionName, counties, staleBefore: () => now - staleCaseMs }, c, now),
        stale: (c) => countStale(redis, ring, c, now, staleCaseMs, counties),
      },
      code,
      now,
      reuse,
    );
}
