import fs from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../redis/connection.ts';
import { auditKeys, chainHash, GENESIS, recordOf } from './log.ts';
import { segmentFiles, type ArchivedLine } from './archive.ts';

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  count: number;
  /** Of them, read from archive segments on disk. */
  archived: number;
  /** `seq:hash` of the last entry: write it down elsewhere and pass it as `expect` next time. */
  head: string;
  /** What is wrong, first problem first; empty when ok. */
  problems: string[];
}

/**
 * Walks the whole trail and checks every link: each body hashes to its stored hash, each entry
 * names the previous hash, sequence numbers have no gap, and the head key points at the last
 * entry. A rewritten entry breaks its own hash; a removed one breaks the next link (or the head).
 *
 * Someone with write access to Redis could rebuild the whole chain from a point on; `expect` (a
 * head recorded earlier outside Redis) catches that: the entry with that number must still have
 * that hash.
 *
 * With `archiveDir`, the segments archived there (archive.ts) come first, in sequence order, and
 * the stream continues their chain; a problem in a segment names its file and line.
 */
export async function verifyAuditChain(
  redis: RedisClient,
  prefix: string,
  opts: { expect?: string; archiveDir?: string } = {},
): Promise<VerifyResult> {
  const keys = auditKeys(prefix);
  const problems: string[] = [];
  let prev = GENESIS;
  let count = 0;
  let lastSeq = 0;
  let start = '-';
  const expected = opts.expect ? parseExpect(opts.expect) : undefined;
  let expectSeen = false;
  /** Checks one entry (`where` names it in a problem) and moves the chain on. */
  const check = (where: string, fields: string[], named: (seq: number) => string) => {
    count++;
    const r = recordOf(fields);
    if (!r) {
      problems.push(`${where}: not a readable audit entry`);
      return;
    }
    if (r.seq !== lastSeq + 1)
      problems.push(
        `${where}: sequence ${r.seq} where ${lastSeq + 1} was expected (an entry is missing or was inserted)`,
      );
    if (r.prev !== prev)
      problems.push(`${named(r.seq)}: does not follow the entry before it (one was removed or rewritten)`);
    const body = fields[fields.indexOf('body') + 1]!;
    if (chainHash(r.prev, body) !== r.hash)
      problems.push(`${named(r.seq)}: content does not match its hash (rewritten)`);
    if (expected && r.seq === expected.seq) {
      expectSeen = true;
      if (r.hash !== expected.hash)
        problems.push(`${named(r.seq)}: hash differs from the recorded head ${opts.expect}`);
    }
    prev = r.hash;
    // Go on from the stored number, so one gap is reported once rather than at every entry after it.
    lastSeq = r.seq;
  };
  for (const seg of opts.archiveDir ? segmentFiles(opts.archiveDir) : []) {
    const name = path.relative(path.dirname(opts.archiveDir!), seg.file);
    const lines = fs.readFileSync(seg.file, 'utf8').split('\n').filter(Boolean);
    const seqBefore = lastSeq;
    lines.forEach((text, i) => {
      let l: Partial<ArchivedLine>;
      try {
        l = JSON.parse(text) as Partial<ArchivedLine>;
      } catch {
        l = {};
      }
      const fields = l.body && l.prev && l.hash ? ['body', l.body, 'prev', l.prev, 'hash', l.hash] : [];
      const where = `archive segment ${name} line ${i + 1}`;
      check(where, fields, (seq) => `${where} (seq ${seq})`);
    });
    if (seqBefore + 1 !== seg.first || lastSeq !== seg.last)
      problems.push(
        `archive segment ${name}: holds seq ${seqBefore + 1}–${lastSeq}, its name says ${seg.first}–${seg.last}`,
      );
  }
  const archived = count;
  for (;;) {
    const batch = (await redis.xrange(keys.stream, start, '+', 'COUNT', 1000)) as [string, string[]][];
    for (const [id, fields] of batch) check(`entry ${id}`, fields, (seq) => `entry seq ${seq}`);
    if (batch.length < 1000) break;
    start = `(${batch[batch.length - 1]![0]}`;
  }
  const head = await redis.get(keys.head);
  const actualHead = `${lastSeq}:${prev}`;
  if (head === null && count > 0) problems.push('the head key is missing');
  else if (head !== null && head !== actualHead)
    problems.push(`the head says ${head} but the last entry is ${actualHead} (entries at the end were removed)`);
  if (expected && !expectSeen) problems.push(`the recorded head ${opts.expect} is no longer in the trail`);
  return { ok: problems.length === 0, count, archived, head: count ? actualHead : `0:${GENESIS}`, problems };
}

function parseExpect(s: string): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(s.trim());
  if (!m) throw new Error('expected head must look like <seq>:<64 hex digits>');
  return { seq: Number(m[1]), hash: m[2]! };
}
