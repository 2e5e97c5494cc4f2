import { isCluster, type RedisClient } from './connection.ts';

/**
 * Every key matching `pattern`, a page at a time. SCAN names no key, so on a cluster it would
 * reach one node only: each master is scanned in turn (a key lives on exactly one master).
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (found.length) yield found;
    } while (cursor !== '0');
  }
}
