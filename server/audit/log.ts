import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import { isoBeijing } from '../time/beijing.ts';
import type { AuditEntry, AuditRecord } from '../../shared/schemas/admin.ts';
import { defineLua, runLua } from '../redis/lua.ts';

export type { AuditEntry, AuditRecord };

export interface AuditLog {
  /** Appends an entry to the chain; resolves once it is in Redis. Safe to call from several processes. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** The newest entries first, optionally only those about `region`'s subtree. */
  recent(opts?: { limit?: number; within?: string }): Promise<AuditRecord[]>;
}

export const GENESIS = '0'.repeat(64);

/** Key names of the trail; one hash tag with the rest of the province's keys. */
export function auditKeys(prefix: string): { stream: string; head: string; archiveLock: string } {
  return { stream: `${prefix}audit`, head: `${prefix}audit:head`, archiveLock: `${prefix}audit:archiving` };
}

export function chainHash(prev: string, body: string): string {
  return createHash('sha256').update(`${prev}\n${body}`).digest('hex');
}

/**
 * Appends only if the head is still the one the hash was computed from (compare-and-set), so two
 * processes appending at once can never fork the chain; the loser computes again on the new head.
 * The head is `seq:hash` of the last entry, which also makes a deleted last entry detectable.
 */
const APPEND_SCRIPT = defineLua(
  'auditAppend',
  `
local head = redis.call('GET', KEYS[2]) or ('0:' .. ARGV[5])
if head ~= ARGV[1] then return head end
redis.call('XADD', KEYS[1], '*', 'body', ARGV[2], 'prev', ARGV[3], 'hash', ARGV[4])
redis.call('SET', KEYS[2], ARGV[6])
return 'ok'
`,
);

function parseHead(head: string): { seq: number; hash: string } {
  const [seq, hash] = head.split(':');
  return { seq: Number(seq), hash: hash ?? GENESIS };
}

/** Turns one XRANGE reply item into a record (undefined when it is not one of ours). */
export function recordOf(fields: string[]): AuditRecord | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (!f.body || !f.prev || !f.hash) return undefined;
  try {
    return { ...(JSON.parse(f.body) as Omit<AuditRecord, 'prev' | 'hash'>), prev: f.prev, hash: f.hash };
  } catch {
    return undefined;
  }
}

/**
 * The tamper-evident trail (logins, admin actions, alert actions): a Redis stream in which every
 * entry carries the hash of the one before. `npm run audit:verify` walks it and names the first
 * entry that was rewritten or removed. Entries older than a bound move to segment files on disk
 * (archive.ts); the verifier walks those and the stream as one chain.
 */
export function createAuditLog(deps: { redis: RedisClient; prefix: string; clock: Clock }): AuditLog {
  const { redis } = deps;
  const keys = auditKeys(deps.prefix);
  // Appends of this process go one after another, so they never race each other for the head.
  let queue: Promise<unknown> = Promise.resolve();

  async function appendNow(entry: AuditEntry): Promise<AuditRecord> {
    let head = (await redis.get(keys.head)) ?? `0:${GENESIS}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      const { seq: last, hash: prev } = parseHead(head);
      const seq = last + 1;
      const at = isoBeijing(deps.clock.now());
      // Fixed key order: the body string is what gets hashed and stored, so it is never re-serialised.
      const body = JSON.stringify({
        seq,
        at,
        actor: entry.actor,
        action: entry.action,
        ...(entry.target === undefined ? {} : { target: entry.target }),
        ...(entry.region === undefined ? {} : { region: entry.region }),
        ...(entry.detail === undefined ? {} : { detail: entry.detail }),
      });
      const hash = chainHash(prev, body);
      const reply = await runLua<string>(
        redis,
        APPEND_SCRIPT,
        [keys.stream, keys.head],
        [head, body, prev, hash, GENESIS, `${seq}:${hash}`],
      );
      if (reply === 'ok') return { ...(JSON.parse(body) as Omit<AuditRecord, 'prev' | 'hash'>), prev, hash };
      head = reply;
    }
    throw new Error('audit append: head kept moving');
  }

  return {
    append(entry) {
      const next = queue.then(
        () => appendNow(entry),
        () => appendNow(entry),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    async recent(opts = {}) {
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
      const out: AuditRecord[] = [];
      let end = '+';
      // Page backwards until enough entries of the subtree are found (or the start is reached).
      for (let pages = 0; out.length < limit && pages < 50; pages++) {
        const batch = (await redis.xrevrange(keys.stream, end, '-', 'COUNT', 500)) as [string, string[]][];
        for (const [, fields] of batch) {
          const r = recordOf(fields);
          if (!r) continue;
          if (opts.within && !(r.region ?? '').startsWith(opts.within)) continue;
          out.push(r);
          if (out.length >= limit) break;
        }
        if (batch.length < 500) break;
        end = `(${batch[batch.length - 1]![0]}`;
      }
      return out;
    },
  };
}
