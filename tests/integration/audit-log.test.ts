import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { auditKeys, createAuditLog, type AuditLog } from '../../server/audit/log.ts';
import { verifyAuditChain } from '../../server/audit/verify.ts';
import { ManualClock } from '../../server/clock.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';

const prefix = createKeys('62').prefix;
const keys = auditKeys(prefix);
let r: TestRedis;
let a: Redis;
let b: Redis;
let logA: AuditLog;
let logB: AuditLog;

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  a = r.client();
  b = r.client();
  const clock = new ManualClock(Date.parse('2026-11-22T02:00:00Z'));
  logA = createAuditLog({ redis: a, prefix, clock });
  logB = createAuditLog({ redis: b, prefix, clock });
});
afterAll(async () => r?.stop());
beforeEach(async () => {
  await a.del(keys.stream, keys.head);
});

async function fill(n: number): Promise<void> {
  // Two writers on two connections at once, as two server processes would be.
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      (i % 2 ? logA : logB).append({ actor: `u${i}`, action: 'alert.ack', target: `a${i}`, region: '620702' }),
    ),
  );
}

async function entries(): Promise<[string, string[]][]> {
  return (await a.xrange(keys.stream, '-', '+')) as [string, string[]][];
}

/** Rebuilds the stream with one entry changed, keeping every id: what an editor of the data would do. */
async function rewrite(index: number, change: (body: Record<string, unknown>) => void): Promise<void> {
  const all = await entries();
  await a.del(keys.stream);
  for (const [i, [id, fields]] of all.entries()) {
    const f = [...fields];
    if (i === index) {
      const at = f.indexOf('body') + 1;
      const body = JSON.parse(f[at]!) as Record<string, unknown>;
      change(body);
      f[at] = JSON.stringify(body);
    }
    await a.xadd(keys.stream, id, ...f);
  }
}

describe('the audit trail', () => {
  it('chains entries from concurrent writers without a fork or a gap', async () => {
    await fill(60);
    const v = await verifyAuditChain(a, prefix);
    expect(v.problems).toEqual([]);
    expect(v.count).toBe(60);
    const seqs = (await logA.recent({ limit: 100 })).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => 60 - i));
  });

  it('detects an entry whose content was rewritten', async () => {
    await fill(10);
    await rewrite(4, (body) => (body.actor = 'someone-else'));
    const v = await verifyAuditChain(a, prefix);
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(/seq 5: content does not match its hash/);
  });

  it('detects an entry removed from the middle', async () => {
    await fill(10);
    const all = await entries();
    await a.xdel(keys.stream, all[3]![0]);
    const v = await verifyAuditChain(a, prefix);
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toMatch(/sequence 5 where 4 was expected/);
  });

  it('detects entries removed from the end', async () => {
    await fill(10);
    const all = await entries();
    await a.xdel(keys.stream, all[9]![0], all[8]![0]);
    const v = await verifyAuditChain(a, prefix);
    expect(v.problems.join('\n')).toMatch(/the head says 10:/);
  });

  it('detects a rebuilt tail against a head recorded earlier', async () => {
    await fill(5);
    const recorded = (await verifyAuditChain(a, prefix)).head;
    // Rewrite entry 5 and recompute its hash and the head, as a careful forger with Redis access would.
    const forger = createAuditLog({ redis: a, prefix, clock: new ManualClock(0) });
    const all = await entries();
    await a.xdel(keys.stream, all[4]![0]);
    await a.set(keys.head, (await verifyAuditChain(a, prefix)).head);
    await forger.append({ actor: 'forger', action: 'alert.close' });
    expect((await verifyAuditChain(a, prefix)).ok).toBe(true);
    const v = await verifyAuditChain(a, prefix, { expect: recorded });
    expect(v.problems.join('\n')).toMatch(/hash differs from the recorded head/);
  });

  it('is checked by `npm run audit:verify`, which fails on a broken chain', async () => {
    await fill(3);
    const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${r.options.port}`, REGION_ROOT: '62' };
    const run = () => spawnSync('npx', ['tsx', 'scripts/audit-verify.ts'], { env, encoding: 'utf8' });
    const good = run();
    expect(good.stdout).toMatch(/audit trail intact: 3 entries/);
    expect(good.status).toBe(0);
    await rewrite(1, (body) => (body.action = 'alert.close'));
    const bad = run();
    expect(bad.stdout).toMatch(/BROKEN/);
    expect(bad.status).toBe(1);
  });
});
