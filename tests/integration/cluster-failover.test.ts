import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type ClusterNode, type TestCluster } from '../helpers/redis-cluster.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { connect, RegionView, waitFor, type TestSocket } from '../helpers/socket-client.ts';
import { generate } from '../helpers/ground-truth.ts';
import { drained } from '../helpers/drain.ts';
import { compareAll } from '../helpers/compare.ts';
import { sleep } from '../helpers/process.ts';
import { AGGREGATOR_GROUP, createKeys } from '../../server/redis/keys.ts';
import { readTimeliness } from '../../server/assessment/report-timeliness.ts';
import { buckets } from '../../server/time/beijing.ts';

// Ingest over HTTP into a Redis Cluster of 3 masters and 3 replicas; the master that owns the
// province's slot is killed with SIGKILL in the middle. A replica takes over; the server, its
// aggregator thread and a worker process follow the new slot map by themselves; a wall connected
// throughout ends with the exact numbers without a reload; every event ingest answered 2xx is
// counted exactly once (ingest WAITs for the replica before it answers: server/redis/replication.ts).
const keys = createKeys('62');
const BATCH = 200;
const CONCURRENCY = 2;
const REQUEST_TIMEOUT_MS = 5000;
/** A sender gives up after this: without a failover the test fails here, not at its timeout. */
const WORKLOAD_MS = 60_000;
/** Entries a dead connection's read left pending are claimed after this (not the default 15 s). */
const CLAIM_IDLE_MS = '3000';

let cluster: TestCluster;
let t: TestServer;
let worker: WorkerProcess;
let socket: TestSocket | undefined;
const claimIdleBefore = process.env.CLAIM_IDLE_MS;

beforeAll(async () => {
  cluster = await startTestCluster();
  // The server's aggregator thread reads its tuning from this process's environment.
  process.env.CLAIM_IDLE_MS = CLAIM_IDLE_MS;
  t = await startTestServer({ cluster, env: { RATE_LIMIT_INGEST: '0' } });
  worker = startWorkerProcess({
    REDIS_CLUSTER_NODES: cluster.nodesEnv,
    WORKER_NAME: 'failover-worker',
    CLAIM_IDLE_MS,
  });
}, 120_000);
afterAll(async () => {
  if (claimIdleBefore === undefined) delete process.env.CLAIM_IDLE_MS;
  else process.env.CLAIM_IDLE_MS = claimIdleBefore;
  socket?.close();
  await worker?.stop();
  await t?.stop();
  await cluster?.stop();
});

type Answer = { accepted: number; duplicates: number; rejected: { index: number }[] };

describe('a Redis Cluster master killed with SIGKILL in the middle of the feed', () => {
  it('fails over by itself, the wall recovers without a reload, and every acknowledged event is counted exactly once', async () => {
    const now = Date.now();
    const gen = generate(t.tree, { events: 6000, now, seed: 4242, oldShare: 0 });
    const batches: unknown[][] = [];
    for (let i = 0; i < gen.sent.length; i += BATCH) batches.push(gen.sent.slice(i, i + BATCH));
    const killAfter = Math.floor(batches.length / 3);

    const wallToken = await t.userToken('wall-failover', 'wall', '62');
    socket = connect(t.url, wallToken);
    const wall = new RegionView(socket, '62');
    expect((await wall.start()).ok).toBe(true);

    const acknowledged = new Set<string>();
    const statuses = new Map<string, number>();
    let attempts = 0;
    let killed: ClusterNode | undefined;
    let killedAt = 0;
    let answeredBeforeKill: unknown[] | undefined;
    const giveUpAt = Date.now() + WORKLOAD_MS;
    // A request that fails, times out or is refused is sent again with the same ids: what a lost
    // answer had stored comes back as duplicates.
    const send = async (batch: unknown[]): Promise<void> => {
      while (Date.now() < giveUpAt) {
        attempts++;
        const res = await fetch(`${t.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.ingestKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }).catch(() => undefined);
        const status = res ? String(res.status) : 'no answer';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (res?.status === 200 || res?.status === 422) {
          const answer = (await res.json()) as Answer;
          const rejected = new Set(answer.rejected.map((r) => r.index));
          batch.forEach((e, i) => {
            if (!rejected.has(i)) acknowledged.add((e as { id: string }).id);
          });
          return;
        }
        await res?.arrayBuffer().catch(() => undefined);
        await sleep(200);
      }
    };
    let next = 0;
    let done = 0;
    const sender = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await send(batch);
        // Killed right after an answer: what that answer acknowledged must survive the failover.
        if (++done === killAfter) {
          killed = await cluster.masterOf(keys.events);
          cluster.kill(killed);
          killedAt = Date.now();
          answeredBeforeKill = batch;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    expect(killed).toBeDefined();

    // Nobody told the server or the worker anything: the cluster promoted a replica.
    const promoted = await cluster.waitForFailover(keys.events, killed!);
    const failoverSeconds = (Date.now() - killedAt) / 1000;
    await drained(t.server.redis, keys.events, 60_000);
    const drainedSeconds = (Date.now() - killedAt) / 1000;

    let counted = 0;
    for (const month of new Set([buckets(now - 3 * 86_400_000).month, buckets(now).month]))
      counted += (await readTimeliness(t.server.redis, keys, '62', month)).reports;
    console.log(
      `cluster master ${killed!.port} SIGKILLed after ${killAfter} of ${batches.length} batches; replica ` +
        `${promoted.port} serves the slot (seen ${failoverSeconds.toFixed(1)} s after the kill). Events sent ` +
        `${gen.sent.length} (${gen.valid} distinct valid) in ${attempts} requests ` +
        `(${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}); acknowledged ${acknowledged.size}, ` +
        `counted ${counted}; all counted ${drainedSeconds.toFixed(1)} s after the kill`,
    );
    expect(acknowledged.size).toBe(gen.valid);
    expect(counted).toBe(acknowledged.size);
    const { mismatches } = await compareAll(t.tree, t.server.redis, gen.expected, now, { overdue: false });
    expect(mismatches).toEqual([]);

    // The batch answered just before the kill is on the promoted replica: sent again, all duplicates.
    const again = await t.postEvents(answeredBeforeKill!);
    expect(again.status).toBe(200);
    expect((again.body as Answer).accepted).toBe(0);

    // The wall, connected throughout, ends with the province's exact numbers (no reload, no reconnect asked).
    const expected = gen.expected.get('62')!;
    await waitFor(
      () =>
        wall.state?.counts.today.incident === expected.today.i && wall.state?.counts.today.dispute === expected.today.d,
      30_000,
      `the wall to show ${expected.today.i} incidents and ${expected.today.d} disputes today`,
    );

    // Both aggregators (the server's thread and the worker process) took entries from the promoted
    // replica: each one's last delivery (XINFO's idle) came after the kill.
    const consumers = (await t.server.redis.xinfo('CONSUMERS', keys.events, AGGREGATOR_GROUP)) as unknown[][];
    const sinceKill = Date.now() - killedAt;
    const idle = consumers.map((c) => [String(c[1]), Number(c[5])] as const);
    expect(idle.length, JSON.stringify(idle)).toBe(2);
    for (const [name, ms] of idle)
      expect(ms, `${name} read nothing after the kill; worker log:\n${worker.log()}`).toBeLessThan(sinceKill);
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  }, 240_000);
});
