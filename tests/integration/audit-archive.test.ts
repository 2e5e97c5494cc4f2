import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { auditKeys, createAuditLog } from '../../server/audit/log.ts';
import { archiveAudit, segmentFiles } from '../../server/audit/archive.ts';
import { verifyAuditChain } from '../../server/audit/verify.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

const DAY = 86_400_000;
const prefix = createKeys('62').prefix;
const keys = auditKeys(prefix);
let r: TestRedis;
let redis: Redis;
let dataDir: string;
const clock = new ManualClock(Date.parse('2026-06-01T02:00:00Z'));

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-audit-'));
  const log = createAuditLog({ redis, prefix, clock });
  // 40 entries a day apart: the first 30 older than the 10-day bound when archived.
  for (let i = 0; i < 40; i++) {
    await log.append({ actor: `u${i}`, action: 'alert.ack', target: `a${i}`, region: '620702' });
    clock.advance(DAY);
  }
});
afterAll(async () => {
  await r?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const dir = () => path.join(dataDir, 'audit');
const verifyCli = () =>
  spawnSync('npx', ['tsx', 'scripts/audit-verify.ts'], {
    env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${r.options.port}`, REGION_ROOT: '62', DATA_DIR: dataDir },
    encoding: 'utf8',
  });

describe('the audit chain archived to disk segments', () => {
  it('moves entries older than the bound to a segment, and the chain verifies across segment and Redis', async () => {
    const res = await archiveAudit({ redis, prefix, clock, dir: dir(), olderThanMs: 10 * DAY });
    expect(res.archived).toBe(30);
    expect(segmentFiles(dir()).map((s) => [s.first, s.last])).toEqual([[1, 30]]);
    expect(await redis.xlen(keys.stream)).toBe(10);
    // Run again: nothing more is old enough; nothing is archived twice.
    expect((await archiveAudit({ redis, prefix, clock, dir: dir(), olderThanMs: 10 * DAY })).archived).toBe(0);
    const v = await verifyAuditChain(redis, prefix, { archiveDir: dir() });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ ok: true, count: 40, archived: 30 });
    const cli = verifyCli();
    expect(cli.stdout).toMatch(/audit trail intact: 40 entries \(30 of them archived on disk\)/);
    expect(cli.status).toBe(0);
  });

  it('finishes the work of a run that died after writing its segment, without a duplicate', async () => {
    // The state such a run leaves: the segment written, its entries still in Redis.
    const seg = segmentFiles(dir())[0]!;
    const lines = fs.readFileSync(seg.file, 'utf8').trim().split('\n');
    const redo = lines.slice(-3).map((l) => JSON.parse(l) as { id: string; body: string; prev: string; hash: string });
    const rest = (await redis.xrange(keys.stream, '-', '+')) as [string, string[]][];
    await redis.del(keys.stream);
    for (const l of redo) await redis.xadd(keys.stream, l.id, 'body', l.body, 'prev', l.prev, 'hash', l.hash);
    for (const [id, fields] of rest) await redis.xadd(keys.stream, id, ...fields);
    expect((await verifyAuditChain(redis, prefix, { archiveDir: dir() })).ok).toBe(false);
    expect((await archiveAudit({ redis, prefix, clock, dir: dir(), olderThanMs: 10 * DAY })).archived).toBe(0);
    expect(await redis.xlen(keys.stream)).toBe(10);
    expect((await verifyAuditChain(redis, prefix, { archiveDir: dir() })).ok).toBe(true);
  });

  it('fails verification naming the segment when a segment is tampered with', async () => {
    const seg = segmentFiles(dir())[0]!;
    const original = fs.readFileSync(seg.file, 'utf8');
    const lines = original.trim().split('\n');
    const l = JSON.parse(lines[4]!) as { body: string };
    l.body = l.body.replace('alert.ack', 'alert.close');
    lines[4] = JSON.stringify(l);
    fs.writeFileSync(seg.file, lines.join('\n') + '\n');
    const v = await verifyAuditChain(redis, prefix, { archiveDir: dir() });
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(
      /archive segment audit\/000000000001-000000000030\.ndjson line 5 \(seq 5\): content does not match its hash/,
    );
    const cli = verifyCli();
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(/BROKEN[\s\S]*000000000001-000000000030\.ndjson line 5/);

    // A line removed from a segment is a gap the chain shows too.
    fs.writeFileSync(
      seg.file,
      original
        .split('\n')
        .filter((_, i) => i !== 9)
        .join('\n'),
    );
    const gap = await verifyAuditChain(redis, prefix, { archiveDir: dir() });
    expect(gap.problems.join('\n')).toMatch(/line 10: sequence 11 where 10 was expected/);
    fs.writeFileSync(seg.file, original);
    expect((await verifyAuditChain(redis, prefix, { archiveDir: dir() })).ok).toBe(true);

    // A whole segment gone: the first entry in Redis no longer follows anything.
    fs.renameSync(seg.file, `${seg.file}.moved`);
    const missing = await verifyAuditChain(redis, prefix, { archiveDir: dir() });
    expect(missing.problems[0]).toMatch(/sequence 31 where 1 was expected/);
    fs.renameSync(`${seg.file}.moved`, seg.file);
  });
});
