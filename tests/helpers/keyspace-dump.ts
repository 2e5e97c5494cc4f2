import type { Redis } from 'ioredis';

/**
 * Every key but the import ledger and layout markers: hashes (case versions left out: they count
 * commits, not what was committed), sorted sets; and their TTLs (s, -1 none). Two ways of writing
 * the same events must leave equal dumps.
 */
export async function dumpKeyspace(
  client: Redis,
): Promise<{ data: Record<string, unknown>; ttl: Record<string, number> }> {
  const data: Record<string, unknown> = {};
  const ttl: Record<string, number> = {};
  for (const key of (await client.keys('*')).sort()) {
    // The layout markers are written by whoever starts first (the import does, applyHistory not).
    if (key.includes(':imp:') || key.endsWith('layout')) continue;
    const type = await client.type(key);
    let v: unknown = type;
    if (type === 'hash') {
      const h = await client.hgetall(key);
      // A case bucket's values begin with the case's version (server/aggregate/case-store.ts).
      if (key.includes(':cs:')) for (const [id, raw] of Object.entries(h)) h[id] = raw.slice(raw.indexOf('\t'));
      v = h;
    } else if (type === 'zset') v = await client.zrange(key, '0', '-1', 'WITHSCORES');
    data[key] = v;
    ttl[key] = await client.ttl(key);
  }
  return { data, ttl };
}
