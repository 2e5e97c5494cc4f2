import type { RedisClient } from '../redis/connection.ts';
import type { Status } from '../../shared/vocab.ts';
import type { Keys } from '../redis/keys.ts';
import type { Logger } from '../log.ts';
import { decodeCase, type CaseState } from './case-state.ts';
import { caseKey, checkCaseLayout, storedCaseValue } from './case-store.ts';
import { runLua } from '../redis/lua.ts';
import { CASE_MOVE_SCRIPT } from '../redis/scripts.ts';
import { scanKeys } from '../redis/scan.ts';

/**
 * Case layout the data in Redis is written in; older data is converted before aggregating: 1 a
 * hash field per attribute, 2 a key per case holding its JSON, 3 fields of bucket hashes.
 */
const LAYOUT = '3';

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
 * Moves the cases kept as keys of their own (`case:<id>`, before 2026-12-06) into their buckets
 * (server/aggregate/case-store.ts), once per Redis, converting those written before the JSON
 * layout (2026-11-22) on the way: counters are a pure function of the cases, so moving them keeps
 * every count right. Each case moves in one script call that checks the key still holds what was
 * read, so processes starting together may all run it. Every version that writes cases runs this
 * before aggregating; servers of the version before must not be taking events meanwhile.
 */
export async function moveLegacyCases(redis: RedisClient, keys: Keys, logger?: Logger): Promise<void> {
  await checkCaseLayout(redis, keys);
  const marker = `${keys.prefix}layout`;
  if ((await redis.get(marker)) === LAYOUT) return;
  let moved = 0;
  const head = keys.legacyCase('');
  for await (const found of scanKeys(redis, `${head}*`, 1000)) {
    for (const key of found) {
      const id = key.slice(head.length);
      for (;;) {
        const h = await redis.hgetall(key);
        const state = h.j !== undefined ? decodeCase(id, h.j) : h.k !== undefined ? fromLayout1(h) : undefined;
        if (!state) break;
        const value = storedCaseValue(h.v ?? '1', id, state, h.m ?? '');
        const done = await runLua<number>(redis, CASE_MOVE_SCRIPT, [key, caseKey(keys, id)], [id, h.v ?? '', value]);
        if (done >= 0) {
          moved += done;
          break;
        }
      }
    }
  }
  await redis.set(marker, LAYOUT);
  if (moved) logger?.info({ moved }, 'cases moved into their buckets');
}
