import fs from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../redis/connection.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { auditKeys, recordOf } from './log.ts';

/**
 * The audit chain's old part on disk: entries older than a bound leave Redis for segment files
 * `DATA_DIR/audit/<first seq>-<last seq>.ndjson` (zero-padded, so names sort by sequence), one
 * line per entry with its stream id and stored fields as they were (`body` is the exact string
 * that was hashed). The chain is unchanged: a segment's first entry names the hash of the entry
 * before it, so `npm run audit:verify` walks the segments and then Redis as one chain.
 *
 * Order of work, so a crash anywhere loses nothing and duplicates nothing: the segment is written
 * to a temporary file, fsynced and renamed; only then are its entries deleted from Redis; the next
 * run skips, and deletes, whatever a segment already holds.
 */

export interface ArchivedLine {
  id: string;
  body: string;
  prev: string;
  hash: string;
}

/** Segment files of `dir` in chain order, with the sequence range their name gives. */
export function segmentFiles(dir: string): { file: string; first: number; last: number }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => /^(\d+)-(\d+)\.ndjson$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: path.join(dir, m[0]), first: Number(m[1]), last: Number(m[2]) }))
    .sort((a, b) => a.first - b.first);
}

const pad = (n: number) => String(n).padStart(12, '0');

/** Entries per segment at most: a segment is read whole by the verifier. */
const SEGMENT_MAX = 50_000;

export interface ArchiveResult {
  archived: number;
  segments: string[];
}

/**
 * Moves the entries whose time (`at`, by the server's clock) is older than `olderThanMs` to
 * segment files in `dir`. Run it on one process per deployment (it holds a lock key meanwhile).
 */
export async function archiveAudit(deps: {
  redis: RedisClient;
  prefix: string;
  clock: Clock;
  dir: string;
  olderThanMs: number;
}): Promise<ArchiveResult> {
  const { redis, dir } = deps;
  const keys = auditKeys(deps.prefix);
  const lock = keys.archiveLock;
  if ((await redis.set(lock, '1', 'PX', 600_000, 'NX')) !== 'OK') return { archived: 0, segments: [] };
  try {
    fs.mkdirSync(dir, { recursive: true });
    const done = segmentFiles(dir);
    const lastArchived = done.length ? done[done.length - 1]!.last : 0;
    const cutoff = deps.clock.now() - deps.olderThanMs;
    const result: ArchiveResult = { archived: 0, segments: [] };
    for (;;) {
      const batch = (await redis.xrange(keys.stream, '-', '+', 'COUNT', SEGMENT_MAX)) as [string, string[]][];
      const lines: ArchivedLine[] = [];
      const already: string[] = [];
      let first = 0;
      let last = 0;
      for (const [id, fields] of batch) {
        const r = recordOf(fields);
        const f = (name: string) => fields[fields.indexOf(name) + 1]!;
        // An entry a segment already holds (a run that died before deleting it): deleted now.
        if (r && r.seq <= lastArchived) {
          already.push(id);
          continue;
        }
        if (!r || Date.parse(r.at) >= cutoff) break;
        first ||= r.seq;
        last = r.seq;
        lines.push({ id, body: f('body'), prev: f('prev'), hash: f('hash') });
      }
      if (already.length) await redis.xdel(keys.stream, ...already);
      if (!lines.length) return result;
      const name = path.join(dir, `${pad(first)}-${pad(last)}.ndjson`);
      const tmp = `${name}.partial`;
      const fd = fs.openSync(tmp, 'w');
      fs.writeSync(fd, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(tmp, name);
      const dfd = fs.openSync(dir, 'r');
      fs.fsyncSync(dfd);
      fs.closeSync(dfd);
      for (let i = 0; i < lines.length; i += 1000)
        await redis.xdel(keys.stream, ...lines.slice(i, i + 1000).map((l) => l.id));
      result.archived += lines.length;
      result.segments.push(name);
      if (lines.length < batch.length - already.length || batch.length < SEGMENT_MAX) return result;
    }
  } finally {
    await redis.del(lock);
  }
}

/** Archives once an hour (and once at start) while the server runs; its stop waits for a run under way. */
export function startAuditArchiver(deps: Parameters<typeof archiveAudit>[0] & { logger: Logger }): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const run = () =>
    (running = archiveAudit(deps).then(
      (r) => {
        if (r.archived) deps.logger.info({ archived: r.archived, segments: r.segments }, 'audit entries archived');
      },
      (err: unknown) => deps.logger.error({ err }, 'archiving the audit trail failed; retried in an hour'),
    ));
  void run();
  const timer = setInterval(() => void run(), 3_600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
