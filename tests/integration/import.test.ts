// `npm run import` against a real redis-server: counts by hand at every level, the same counters as
// the live aggregator would write, idempotence, bad lines, a foreign province, kill -9 halfway.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.ts';
import { sleep } from '../helpers/process.ts';
import { at, ev, monthsBefore, syntheticHistory, writeLines, type Line } from '../helpers/import-file.ts';
import { loadRegionTree, type RegionTree } from '../../server/regions/tree.ts';
import { createKeys, type Keys } from '../../server/redis/keys.ts';
import { importDepsFor, importHistory, type ImportDeps } from '../../server/import/run.ts';
import { slaTable } from '../../server/aggregate/sla.ts';
import { counterKey, decodeCounters, type Bucket } from '../../server/counters/read.ts';
import { applyHistory } from '../../server/aggregate/apply.ts';
import { caseEvent } from '../../server/aggregate/case-state.ts';
import { bucketExpiresAtS } from '../../server/counters/retention.ts';
import { dayNumber } from '../../server/time/beijing.ts';
import { provinceAncestry as ancestry } from '../../shared/regions.ts';
import type { StoredEvent } from '../../shared/schemas/event.ts';
import { readCases } from '../../server/aggregate/case-store.ts';

let r: TestRedis;
let redis: Redis;
let tree: RegionTree;
let dir: string;
const keys = createKeys('62');

function deps(client: Redis, extra: Partial<ImportDeps> = {}): ImportDeps {
  return importDepsFor(client, tree, '62', { chunkLines: 4, ...extra });
}

/** A region's marginal counters of one bucket, read as the snapshot reads them. */
async function counts(client: Redis, k: Keys, code: string, bucket: Bucket): Promise<Record<string, number>> {
  const h = decodeCounters(code, bucket, await client.hgetall(counterKey(k, code, bucket)));
  return Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)]));
}

/** Every key of the database with its contents (hashes as objects), for before/after comparisons. */
async function dump(client: Redis, skip = /:imp:/): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await client.keys('*')).sort()) {
    if (skip.test(key)) continue;
    const type = await client.type(key);
    out[key] =
      type === 'hash'
        ? await client.hgetall(key)
        : type === 'zset'
          ? await client.zrange(key, '0', '-1', 'WITHSCORES')
          : type === 'list'
            ? await client.lrange(key, 0, -1)
            : type;
  }
  return out;
}

const now = Date.now();
const V = '620102001001'; // a village of 城关区, 兰州市
const T = '620702001'; // a township of 甘州区, 张掖市
const C = '620302'; // a county of 金昌市
const m = (k: number) => monthsBefore(now, k);
const recent = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();

/** The crafted file: cases A–F (see the expectations below), bad lines at 3, 5, 12, 14, a blank at 8. */
function craftedLines(): (Line | string)[] {
  return [
    ev('A', 0, 'incident', 'criminal', 'reported', V, at(m(7), 10), 'police_110'),
    ev('A', 1, 'incident', 'criminal', 'closed', V, at(m(7), 10, 2), 'police_110'),
    '{"id": "broken", ',
    ev('B', 0, 'dispute', 'family', 'received', T, at(m(5), 10), 'grid'),
    { ...ev('X', 0, 'dispute', 'nonsense', 'received', T, at(m(5), 10), 'grid') } as Line,
    ev('B', 1, 'dispute', 'family', 'dispatched', T, at(m(5), 11), 'grid'),
    ev('B', 2, 'dispute', 'family', 'mediating', T, at(m(5), 12), 'grid'),
    '',
    ev('B', 3, 'dispute', 'family', 'resolved', T, at(m(5), 13), 'grid'),
    ev('B', 3, 'dispute', 'family', 'resolved', T, at(m(5), 13), 'grid'),
    ev('B', 4, 'dispute', 'family', 'verified', T, at(m(5), 14), 'grid'),
    ev('Y', 0, 'incident', 'fraud', 'reported', '629999', at(m(5), 10), 'app'),
    ev('C', 0, 'dispute', 'land', 'received', C, at(m(4), 10), 'hotline_12345'),
    (() => {
      const { caseId: _c, ...rest } = ev('Z', 0, 'incident', 'fraud', 'reported', V, at(m(4), 10), 'app');
      return rest as Line;
    })(),
    ev('C', 1, 'dispute', 'land', 'failed', C, at(m(4), 20), 'hotline_12345'),
    ev('D', 0, 'incident', 'fraud', 'reported', V, at(m(14), 10), 'app'),
    ev('D', 1, 'incident', 'fraud', 'closed', V, at(m(14), 11), 'app'),
    ev('E', 0, 'dispute', 'debt', 'received', V, at(m(3), 10), 'walk_in'),
    ev('F', 0, 'incident', 'public_order', 'reported', V, recent(50), 'police_110'),
    ev('F', 1, 'incident', 'public_order', 'closed', V, recent(49), 'police_110'),
  ];
}

beforeAll(async () => {
  r = await startTestRedis({ appendonly: false });
  redis = r.client();
  tree = await loadRegionTree('62');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-import-'));
});

afterAll(async () => {
  await r?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run import', () => {
  const file = () => path.join(dir, 'crafted.ndjson');
  const bad: [number, string][] = [];
  let notices: { touched: string[]; events: unknown[] }[] = [];

  beforeAll(async () => {
    writeLines(file(), craftedLines());
    const sub = r.client();
    await sub.subscribe(keys.notices);
    sub.on('message', (_ch, msg) => notices.push(JSON.parse(msg) as (typeof notices)[number]));
    notices = [];
    const report = await importHistory(deps(redis, { onBadLine: (n, why) => bad.push([n, why]) }), file());
    expect(report.refused).toBeUndefined();
    expect(report).toMatchObject({
      lines: 20,
      events: 15,
      badLines: 4,
      duplicates: 1,
      history: { cases: 3 },
      kept: { cases: 2 },
      skipped: { cases: 1 },
    });
    await sleep(200);
    await sub.quit();
  });

  it('reports each bad line by its number, with a reason that names the field, and applies the good ones', () => {
    expect(bad.map(([n]) => n)).toEqual([3, 5, 12, 14]);
    expect(bad[0]![1]).toMatch(/not valid JSON/);
    expect(bad[1]![1]).toMatch(/^category:/);
    expect(bad[2]![1]).toMatch(/^region: unknown region code 629999/);
    expect(bad[3]![1]).toMatch(/^caseId:/);
  });

  it('counts history into the months at every level, as computed by hand', async () => {
    const a = { i: 1, 'c:criminal': 1, 'ch:police_110': 1, 's:closed': 1 };
    for (const code of ancestry(V)) expect(await counts(redis, keys, code, { month: m(7) })).toEqual(a);
    expect(await counts(redis, keys, '620702', { month: m(7) })).toEqual({});

    const b = { d: 1, 'c:family': 1, 'ch:grid': 1, 's:verified': 1, 'o:resolved': 1 };
    for (const code of ancestry(T)) expect(await counts(redis, keys, code, { month: m(5) })).toEqual(b);
    expect(await counts(redis, keys, '620702001001', { month: m(5) })).toEqual({});

    const c = { d: 1, 'c:land': 1, 'ch:hotline_12345': 1, 's:failed': 1, 'o:failed': 1 };
    for (const code of ancestry(C)) expect(await counts(redis, keys, code, { month: m(4) })).toEqual(c);
    // The case older than the 12 months kept is nowhere, and its day buckets were never written.
    for (const code of ancestry(V)) expect(await counts(redis, keys, code, { month: m(14) })).toEqual({});
    // History expires by when it happened, not by when it was imported.
    const ttl = await redis.ttl(keys.month('62', m(7)));
    expect(Math.abs(now / 1000 + ttl - bucketExpiresAtS(m(7)))).toBeLessThan(60);
  });

  it('keeps the open and the recent cases as live cases: open backlog, overdue, day buckets', async () => {
    const e = { d: 1, 's:received': 1, 'c:debt': 1, od: 1, odd: 1, odr: 1 };
    for (const code of ancestry(V)) expect(await counts(redis, keys, code, 'open')).toEqual(e);
    const day = dayNumber(Date.parse(recent(50)));
    for (const code of ancestry(V))
      expect(await counts(redis, keys, code, { day })).toMatchObject({ i: 1, 's:closed': 1, 'c:public_order': 1 });
    expect((await readCases(redis, keys, ['E'], Date.now())).get('E')!.state).toMatchObject({
      s: 'received',
      e: ['E-0'],
    });
  });

  it('writes the very counters the live aggregator writes for the same events', async () => {
    const live = createKeys('62', 'live');
    const events = craftedLines()
      .filter((l): l is Line => typeof l !== 'string' && 'caseId' in l && l.category !== 'nonsense')
      .filter((l) => l.region !== '629999')
      .map((l) => caseEvent({ ...l, source: 't', ts: Date.parse(l.occurredAt) } as StoredEvent));
    await applyHistory({ redis, keys: live, sla: slaTable() }, events, Date.now());
    const regions = new Set([V, T, C].flatMap((c) => ancestry(c)));
    const days = [dayNumber(Date.parse(recent(50))), dayNumber(Date.parse(recent(49)))];
    const bucketList: Bucket[] = [
      'open',
      ...Array.from({ length: 15 }, (_, k) => ({ month: m(k) })),
      ...days.map((day) => ({ day })),
    ];
    for (const code of regions)
      for (const b of bucketList)
        expect(await counts(redis, keys, code, b)).toEqual(await counts(redis, live, code, b));
  });

  it('raises no alert and sends nothing to screens but one change notice without events', async () => {
    const families = /^pa:\{62\}:((mon|lmon|day|lday|open|lopen|cs|cx|sla|imp):|(cs)?layout$)/;
    const keysNow = (await redis.keys('pa:{62}:*')).filter((k) => !k.startsWith('pa:{62}:live'));
    expect(keysNow.filter((k) => !families.test(k))).toEqual([]);
    expect(await redis.exists(keys.events)).toBe(0);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.events).toEqual([]);
    expect(notices[0]!.touched).toEqual(expect.arrayContaining(['62', '6201', '620102', V, T, C]));
  });

  it('changes no count when the same file is imported again, finished or interrupted', async () => {
    const before = await dump(redis);
    const again = await importHistory(deps(redis), file());
    expect(again.alreadyImported).toBeTruthy();
    // As if the first run had died before its last step: every chunk is in the ledger and skipped.
    await redis.hdel(keys.importLedger(again.digest), 'done');
    // Three days on, an unfinished import is not resumed: a recent case it applied may have expired.
    const late = await importHistory(deps(redis, { clock: { now: () => Date.now() + 3 * 86_400_000 } }), file());
    expect(late.refused).toMatch(
      /began 3\.0 days ago and did not finish.*within 2 days only.*nothing more was imported/,
    );
    expect(late.chunks.committed).toBe(0);
    const rerun = await importHistory(deps(redis), file());
    expect(rerun.chunks.committed).toBe(0);
    expect(rerun.chunks.alreadyCommitted).toBeGreaterThan(0);
    expect(await dump(redis)).toEqual(before);
    // Another file with the same recent events: counted once, by event id.
    const copy = path.join(dir, 'copy.ndjson');
    writeLines(
      copy,
      craftedLines().filter((l) => typeof l !== 'string' && ['E', 'F'].includes(l.caseId)),
    );
    const other = await importHistory(deps(redis), copy);
    expect(other).toMatchObject({ events: 3, duplicates: 3, kept: { cases: 2 } });
    expect(await dump(redis)).toEqual(before);
  });

  it('refuses a file with another province’s regions under a province deployment, writing nothing', async () => {
    const foreign = path.join(dir, 'foreign.ndjson');
    writeLines(foreign, [
      ev('G', 0, 'incident', 'fraud', 'reported', V, at(m(2), 10), 'app'),
      ev('H', 0, 'incident', 'fraud', 'reported', '440103', at(m(2), 10), 'app'),
    ]);
    const before = await redis.dbsize();
    const report = await importHistory(deps(redis), foreign);
    expect(report.refused).toMatch(/line 2 has region 440103 of province 44.*REGION_ROOT=62.*nothing was imported/);
    expect(await redis.dbsize()).toBe(before);
  });
});

describe('an import killed with kill -9 halfway and run again', () => {
  it('ends with exactly the counts of an uninterrupted import', async () => {
    const file = path.join(dir, 'synthetic.ndjson');
    const regions = tree.codesAt('village').filter((c) => c.startsWith('6201') || c.startsWith('6207'));
    writeLines(file, syntheticHistory(now, 600, [...regions.slice(0, 40), '620102', '620702001']));
    // The reference: an uninterrupted import into another database.
    const reference = r.client();
    await reference.select(1);
    await importHistory(deps(reference, { chunkLines: 50 }), file);

    const target = r.client();
    await target.select(2);
    // Parts of 4 KB on a worker thread: the interrupted import runs the workers' path.
    const args = ['scripts/import.ts', file, '--chunk-lines', '50', '--part-bytes', '4096', '--workers', '1'];
    const run = (extra: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', ...args, ...extra], {
        env: {
          ...process.env,
          REDIS_URL: `redis://127.0.0.1:${r.options.port}/2`,
          REGION_ROOT: '62',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const first = run(['--pause-ms', '200']);
    const exited = new Promise((res) => first.once('exit', res));
    const digestKey = async () => (await target.keys('pa:{62}:imp:*'))[0];
    // Wait until a few chunks are in, then kill it.
    for (let i = 0; i < 600; i++) {
      const k = await digestKey();
      if (k && (await target.hkeys(k)).filter((f) => f.startsWith('c:')).length >= 3) break;
      await sleep(50);
    }
    first.kill('SIGKILL');
    await exited;
    const ledger = (await digestKey())!;
    const marks = (await target.hkeys(ledger)).filter((f) => f.startsWith('c:')).length;
    const chunks = Number(await target.hget(ledger, 'chunks'));
    expect(marks).toBeGreaterThanOrEqual(3);
    expect(marks).toBeLessThan(chunks);
    expect(await target.hget(ledger, 'done')).toBeNull();

    const second = run([]);
    let out = '';
    second.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((res) => second.once('exit', res));
    expect(code).toBe(0);
    expect(out).toMatch(/already committed [1-9]/);
    const counters = /^pa:\{62\}:(mon|lmon|day|lday|open|lopen):/;
    const got = await dump(target, /:imp:|:case:|:cx:|:sla/);
    const want = await dump(reference, /:imp:|:case:|:cx:|:sla/);
    expect(Object.keys(got).filter((k) => counters.test(k)).length).toBeGreaterThan(50);
    expect(got).toEqual(want);
  }, 120_000);
});
