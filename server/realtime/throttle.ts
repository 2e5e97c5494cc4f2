/**
 * A token bucket: `capacity` calls at once, then `perSecond` on average. Guards the socket against
 * a client that floods it with subscriptions (each one reads a snapshot from Redis).
 */
export function tokenBucket(capacity: number, perSecond: number, now: () => number = Date.now): () => boolean {
  let tokens = capacity;
  let last = now();
  return () => {
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - last) / 1000) * perSecond);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
