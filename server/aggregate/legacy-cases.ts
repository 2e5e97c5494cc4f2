import type { RedisClient } from '../redis/connection.ts';
import type { Status } from '../../shared/vocab.ts';
import type { Keys } from '../redis/keys.ts';
import type { Logger } from '../log.ts';
import { encodeCase, type CaseState } from './case-state.ts';
import { scanKeys } from '../redis/scan.ts';

/** Case layout the data in Redis is written in; older data is converted before aggregating. */
const LAYOUT = '2';

/** A layout-1 case (one hash field per attribute, `e:<id>` markers) as a CaseState. */
export function fromLayout1(h: Record<string, string>): CaseState {
  const num = (f: string) => (h[f] === undefined ? undefined : Number(h[f]));
  return {
    k: h.k as 'i' | 'd',
    r: h.r!,
    c: h.c!,
    ch: h.ch!,
    t0: Number(h.t0),
    i0: h.i0!,
    s: h.s as Status,
    st: Number(h.st),
    si: h.si!,
    ...(h.out ? { out: h.out as 'resolved' | 'failed', ot: num('ot'), oi: h.oi } : {}),
    sev: Number(h.sev ?? 0),
    od: h.od ?? '',
    ...(h.dl ? { dl: Number(h.dl) } : {}),
    e: Object.keys(h)
      .filter((f) => f.startsWith('e:'))
      .map((f) => f.slice(2)),
  };
}

/**
 * Converts case hashes written before the JSON layout (2026-11-22), once per Redis: counters are
 * a pure function of the cases, so converting them in place keeps every count right. Idempotent,
 * so processes starting together may all run it.
 */
export async function convertLegacyCases(redis: RedisClient, keys: Keys, logger: Logger): Promise<void> {
  const marker = `${keys.prefix}layout`;
  if ((await redis.get(marker)) === LAYOUT) return;
  let converted = 0;
  const caseKeyHead = keys.case('');
  for await (const found of scanKeys(redis, `${keys.prefix}case:*`, 1000)) {
    for (const key of found) {
      const h = await redis.hgetall(key);
      if (h.j !== undefined || h.k === undefined) continue;
      const old = Object.keys(h);
      await redis
        .multi()
        .hset(key, 'v', '1', 'j', encodeCase(key.slice(caseKeyHead.length), fromLayout1(h)))
        .hdel(key, ...old)
        .exec();
      converted++;
    }
  }
  await redis.set(marker, LAYOUT);
  if (converted) logger.info({ converted }, 'case states converted to the JSON layout');
}
