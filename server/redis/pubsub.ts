import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';

/**
 * Notices between processes (change notices, alerts). On one Redis: PUBLISH / SUBSCRIBE. On a
 * cluster: sharded pub/sub (SPUBLISH / SSUBSCRIBE), so a channel lives on the node of its slot
 * (the province's hash tag: its notices fail over with its data) instead of every message being
 * broadcast over the cluster bus to every node.
 */
export function publish(redis: RedisClient, channel: string, message: string): Promise<unknown> {
  return isCluster(redis) ? redis.spublish(channel, message) : redis.publish(channel, message);
}

/** The same, queued in a transaction or pipeline of `redis` (published when it executes). */
export function publishIn(tx: ChainableCommander, redis: RedisClient, channel: string, message: string): void {
  if (isCluster(redis)) tx.spublish(channel, message);
  else tx.publish(channel, message);
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Subscribes `subscriber` (a connection of its own; on a cluster opened with `subscriber: true`)
 * to `channels`. Pub/sub keeps nothing: whatever was published while the link was down (a Redis
 * restart, a failover) is gone, so `resubscribed` is called each time the subscription is back,
 * for the caller to catch up from the store.
 */
export async function subscribe(
  subscriber: RedisClient,
  channels: readonly string[],
  onMessage: (channel: string, message: string) => void,
  resubscribed: () => void,
): Promise<Subscription> {
  const wanted = new Set(channels);
  const listener = (channel: string, message: string) => {
    if (wanted.has(channel)) onMessage(channel, message);
  };
  if (isCluster(subscriber)) {
    // One SSUBSCRIBE per channel: ioredis refuses channels of several slots in one call.
    for (const c of channels) await subscriber.ssubscribe(c);
    subscriber.on('smessage', listener);
    // Emitted each time the sharded subscribers were rebuilt for a new topology and resubscribed.
    subscriber.on('subscribersReady', resubscribed);
    return {
      async stop() {
        subscriber.off('smessage', listener);
        subscriber.off('subscribersReady', resubscribed);
        for (const c of channels) await subscriber.sunsubscribe(c).catch(() => undefined);
      },
    };
  }
  await subscriber.subscribe(...channels);
  subscriber.on('message', listener);
  // ioredis subscribes again by itself after a reconnect, then says ready.
  subscriber.on('ready', resubscribed);
  return {
    async stop() {
      subscriber.off('message', listener);
      subscriber.off('ready', resubscribed);
      await subscriber.unsubscribe().catch(() => undefined);
    },
  };
}
