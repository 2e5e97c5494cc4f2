import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';
import { slotOf } from './by-slot.ts';

/**
 * "An event answered 2xx is never lost" across a failover. Redis replicates asynchronously: a
 * master that dies a moment after answering can take the write with it, and the replica promoted
 * in its place never had it. So ingest writes on the master that owns the stream's slot and, when
 * that master has a replica, asks it to WAIT until one replica has every write made so far on
 * that connection before the answer goes out. A replica promoted later has the event.
 */

export interface Owner {
  /** The connection to the master serving the key (the client itself on one node). */
  node: Redis;
  /** Replicas the master has now (on a cluster: those not marked failed). */
  replicas: number;
}

/** How long ingest waits for a replica before answering 503 (REDIS_REPLICA_WAIT_MS). */
export const DEFAULT_REPLICA_WAIT_MS = 2000;

const INFO_TTL_MS = 5000;
const singleReplicas = new WeakMap<Redis, { at: number; n: Promise<number> }>();

async function readReplicas(redis: Redis): Promise<number> {
  const info = await redis.info('replication');
  return Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
}

/** The master serving `key` and its replicas now. Throws a CLUSTERDOWN error when none is known. */
export async function ownerOf(redis: RedisClient, key: string): Promise<Owner> {
  if (!isCluster(redis)) {
    // Read again every few seconds: a replica attached or lost is seen within that.
    let cached = singleReplicas.get(redis);
    if (!cached || Date.now() - cached.at > INFO_TTL_MS) {
      cached = { at: Date.now(), n: readReplicas(redis).catch(() => 0) };
      singleReplicas.set(redis, cached);
    }
    return { node: redis, replicas: await cached.n };
  }
  const slot = slotOf(key);
  // The client's slot map: [master, replicas…], refreshed on every MOVED, lost node and interval.
  const served = redis.slots[slot];
  const node = served?.[0]
    ? redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === served[0])
    : undefined;
  if (!served || !node) throw new Error(`CLUSTERDOWN no master known for slot ${slot} (failover under way)`);
  return { node, replicas: served.length - 1 };
}

/** Raised when no replica confirmed the writes in time: the request is answered 503, to resend. */
export class ReplicaWaitError extends Error {
  override name = 'ReplicaWaitError';
}

/**
 * Waits until one replica has every write made so far on `node`'s connection. WAIT counts the
 * replicas that acknowledged; none within `timeoutMs` means the write may not survive a failover.
 */
export async function waitForReplica(node: Redis, timeoutMs: number): Promise<void> {
  const acked = Number(await node.call('WAIT', 1, timeoutMs));
  if (acked < 1) throw new ReplicaWaitError(`NOREPLICAS no replica confirmed the write within ${timeoutMs} ms`);
}
