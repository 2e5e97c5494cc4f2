/**
 * Whether an error means "Redis cannot answer now" (down, frozen, restarting, loading its AOF)
 * rather than a fault of ours: such errors become a 503 with Retry-After, never a 500.
 * ioredis raises plain Errors, so they are told apart by name and message.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  // The cluster's: a master being replaced (CLUSTERDOWN, MOVED to a node not yet known, too many
  // redirections while the slot map settles), no replica confirming a write in time (NOREPLICAS).
  return /^(Command timed out|Connection is closed|Stream isn't writeable|LOADING |BUSY |MASTERDOWN |TRYAGAIN |CLUSTERDOWN |NOREPLICAS |MOVED |ASK |Too many Cluster redirections|None of startup nodes is available|Cluster isn't ready)/.test(
    err.message,
  );
}

/** Rejects with a "Command timed out" error (seen as unavailable) when `p` takes longer than `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Command timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
