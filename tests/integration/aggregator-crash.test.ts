import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { generate } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { createKeys } from '../../server/redis/keys.ts';
import { AGGREGATOR_GROUP } from '../../server/redis/keys.ts';
import { readTimeliness } from '../../server/assessment/report-timeliness.ts';
import { buckets } from '../../server/time/beijing.ts';

const keys = createKeys('62');
let t: TestServer;
const workers: ChildProcess[] = [];

function startWorker(name: string): ChildProcess {
  const w = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
    env: {
      ...process.env,
      REDIS_URL: `redis://127.0.0.1:${t.redis.options.port}`,
      WORKER_NAME: name,
      CLAIM_IDLE_MS: '500',
      LOG_LEVEL: 'warn',
      // Small batches, so the kill lands in the middle of the work.
      AGGREGATOR_BATCH: '200',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  workers.push(w);
  return w;
}

async function entriesRead(): Promise<number> {
  const groups = (await t.server.redis.xinfo('GROUPS', keys.events)) as unknown[][];
  const g = groups.find((x) => x[x.indexOf('name') + 1] === AGGREGATOR_GROUP);
  return g ? Number(g[g.indexOf('entries-read') + 1] ?? 0) : 0;
}

beforeAll(async () => {
  // Ingest only: the aggregation happens in worker processes this test kills.
  t = await startTestServer({ env: { AGGREGATOR: 'off' } });
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await t?.stop();
});

describe('an aggregator killed with SIGKILL halfway', () => {
  it('leaves exact counts once a new worker has taken over', async () => {
    const now = Date.now();
    const gen = generate(t.tree, { events: 30_000, now, seed: 11, oldShare: 0 });
    for (let i = 0; i < gen.sent.length; i += 5000)
      expect((await t.postEvents(gen.sent.slice(i, i + 5000))).status).toBe(200);

    const first = startWorker('w1');
    const total = gen.valid;
    const deadline = Date.now() + 60_000;
    while ((await entriesRead()) < total * 0.4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const readAtKill = await entriesRead();
    expect(readAtKill).toBeGreaterThan(0);
    expect(readAtKill).toBeLessThan(total);

    startWorker('w2');
    await drained(t.server.redis, keys.events, 120_000);
    const { mismatches } = await compareAll(t.tree, t.server.redis, gen.expected, now, { overdue: false });
    expect(mismatches).toEqual([]);
    // Every accepted event is one report for 上报及时率, counted in the same commit as the case.
    let reports = 0;
    for (const month of new Set([buckets(now).month, buckets(Date.now()).month]))
      reports += (await readTimeliness(t.server.redis, keys, '62', month)).reports;
    expect(reports).toBe(total);
    for (const w of workers) w.kill('SIGKILL');
  }, 240_000);
});

describe('entries delivered to a consumer that died before applying them', () => {
  it('are claimed by a live worker and applied exactly once', async () => {
    const now = Date.now();
    await t.server.redis.del(keys.events);
    await t.server.redis.flushdb();
    const gen = generate(t.tree, { events: 3000, now, seed: 12, oldShare: 0 });
    for (let i = 0; i < gen.sent.length; i += 5000) await t.postEvents(gen.sent.slice(i, i + 5000));
    // A "ghost" consumer takes half the entries and dies without acknowledging them.
    await t.server.redis.xgroup('CREATE', keys.events, AGGREGATOR_GROUP, '0', 'MKSTREAM').catch(() => undefined);
    const taken = (await t.server.redis.xreadgroup(
      'GROUP',
      AGGREGATOR_GROUP,
      'ghost',
      'COUNT',
      1500,
      'STREAMS',
      keys.events,
      '>',
    )) as [string, unknown[]][];
    expect(taken[0]![1].length).toBe(1500);
    startWorker('w3');
    await drained(t.server.redis, keys.events, 60_000);
    const { mismatches } = await compareAll(t.tree, t.server.redis, gen.expected, now, { overdue: false });
    expect(mismatches).toEqual([]);
  }, 120_000);
});
