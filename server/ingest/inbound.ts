import os from 'node:os';
import type { RedisClient } from '../redis/connection.ts';
import type { Keys } from '../redis/keys.ts';
import type { Logger } from '../log.ts';
import type { Ingest } from './ingest.ts';
import { MAX_EVENTS_PER_BATCH } from './body.ts';

export const INBOUND_GROUP = 'ingest';
/** Rejections of inbound events, for the sending system to read back; capped. */
export const REJECTED_MAXLEN = 10_000;

/**
 * Systems that speak Redis may `XADD pa:{62}:inbound * source <system> events <json array>` (or
 * `event <json object>`) instead of calling HTTP. Entries go through the very same ingest function
 * (validation, dedupe, log of record); rejections are written to `<inbound>:rejected` with the
 * entry id and reasons. An entry is acknowledged and deleted only after ingest answered, so a
 * crash redelivers it and the ids make the second pass a no-op.
 */
export function startInboundReader(opts: { redis: RedisClient; keys: Keys; ingest: Ingest; logger: Logger }): {
  stop(): Promise<void>;
} {
  const { redis, keys, logger } = opts;
  const rejectedKey = `${keys.inbound}:rejected`;
  const consumer = `${os.hostname()}:${process.pid}`;
  let running = true;

  async function handle(id: string, fields: string[]): Promise<void> {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    const source = (f.source ?? '').slice(0, 64);
    let raws: unknown[] | undefined;
    let problem: string | undefined;
    if (!/^[a-z0-9_.-]+$/i.test(source)) problem = 'source: missing or not [a-z0-9_.-]';
    else {
      try {
        const parsed: unknown = JSON.parse(f.events ?? f.event ?? '');
        raws = Array.isArray(parsed) ? parsed : [parsed];
        if (raws.length > MAX_EVENTS_PER_BATCH) problem = `events: more than ${MAX_EVENTS_PER_BATCH} in one entry`;
      } catch {
        problem = 'events: not valid JSON';
      }
    }
    const reject = (errors: unknown[]) =>
      redis.xadd(rejectedKey, 'MAXLEN', '~', REJECTED_MAXLEN, '*', 'entry', id, 'errors', JSON.stringify(errors));
    if (problem || !raws) {
      await reject([problem]);
    } else {
      const result = await opts.ingest(raws, `redis:${source}`);
      if (result.rejected.length) await reject(result.rejected);
    }
    await redis.multi().xack(keys.inbound, INBOUND_GROUP, id).xdel(keys.inbound, id).exec();
  }

  const loop = (async () => {
    while (running) {
      try {
        await redis.xgroup('CREATE', keys.inbound, INBOUND_GROUP, '0', 'MKSTREAM').catch((e: unknown) => {
          if (!String(e).includes('BUSYGROUP')) throw e;
        });
        // Our own pending entries first (after a restart), then new ones.
        for (const start of ['0', '>']) {
          const res = (await redis.xreadgroup(
            'GROUP',
            INBOUND_GROUP,
            consumer,
            'COUNT',
            100,
            'BLOCK',
            start === '>' ? 1000 : 1,
            'STREAMS',
            keys.inbound,
            start,
          )) as [string, [string, string[]][]][] | null;
          for (const [id, fields] of res?.[0]?.[1] ?? []) await handle(id, fields);
        }
        const claimed = (await redis.xautoclaim(
          keys.inbound,
          INBOUND_GROUP,
          consumer,
          30_000,
          '0-0',
          'COUNT',
          100,
        )) as [string, [string, string[]][]];
        for (const [id, fields] of claimed[1]) if (fields) await handle(id, fields);
      } catch (err) {
        if (!running) break;
        logger.error({ err }, 'inbound stream reader failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}
