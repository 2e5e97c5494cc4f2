// `npm run bench -- ingest`: sustained events/s from HTTP ingest to aggregated, Redis commands per
// event, snapshot latency for a city, Redis's own CPU per event and the ceiling one Redis core
// sets, and two references with the same persistence: the bound, Redis alone doing the
// aggregation's reads and commit script on prepared batches (no HTTP, no validation, no Node
// arithmetic), and the aggregator alone (Node arithmetic + Redis, no HTTP). The bound and the full
// path run twice, once with Redis fsyncing every write before answering (`appendfsync always`, what
// the embedded Redis runs) and once every second (`everysec`, the reference), so the price of
// "an event answered 2xx survives a host crash" is a ratio measured in the same run. The bound and
// the full path run a third time on a Redis Cluster of 3 masters and 3 replicas (AOF everysec on
// every node; ingest WAITs for a replica before it answers), and the full path a fourth time on
// it with the WAIT off: the cluster against one node, and what the WAIT costs, as ratios.
import os from 'node:os';
import hdr from 'hdr-histogram-js';
import { startTestRedis, type TestRedis } from '../tests/helpers/redis.ts';
import { startTestCluster, type TestCluster } from '../tests/helpers/redis-cluster.ts';
import { connectionReady, isCluster, openRedis, type RedisClient } from '../server/redis/connection.ts';
import { ownerOf } from '../server/redis/replication.ts';
import { createLogger } from '../server/log.ts';
import type { Keys } from '../server/redis/keys.ts';
import { generate } from '../tests/helpers/ground-truth.ts';
import { drained } from '../tests/helpers/drain.ts';
import { loadRegionTree } from '../server/regions/tree.ts';
import { createKeys } from '../server/redis/keys.ts';
import { applyBatch, commit, contributionBounds, type AggregationContext } from '../server/aggregate/apply.ts';
import { BatchPlan, type CommitArg } from '../server/aggregate/batch.ts';
import { caseKey, type StoredCase } from '../server/aggregate/case-store.ts';
import { caseEvent } from '../server/aggregate/case-state.ts';
import { slaTable } from '../server/aggregate/sla.ts';
import { AGGREGATOR_GROUP } from '../server/redis/keys.ts';
import { appendEvents } from '../server/ingest/append.ts';
import type { StoredEvent } from '../shared/schemas/event.ts';
import { aofSetting, commandStats, commandsExecuted, redisCpuSeconds, topCommandsPerEvent } from './redis-info.ts';
import { startServerProcess, startWorkerProcess } from './server-process.ts';
import { fsyncLatency } from './disk-fsync.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const APPLY_BATCH = 2000;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
/** Small batches sent one at a time after the full path: where an fsync per request costs most. */
const SMALL_BATCH = 10;
const SMALL_REQUESTS = Number(process.env.BENCH_SMALL_REQUESTS ?? 300);
/** One Redis fsyncing always or every second, or the 3+3 cluster (everysec, WAIT for a replica). */
type Fsync = 'always' | 'everysec' | 'cluster';
const ALL_FSYNCS: Fsync[] = ['always', 'everysec', 'cluster'];
/**
 * `BENCH_STORES=always` runs only the store the product ships (`always`, first: the bound and the
 * full path), for A/B runs of one change; by default all three.
 */
const FSYNCS: Fsync[] = (process.env.BENCH_STORES ?? ALL_FSYNCS.join(','))
  .split(',')
  .filter((s): s is Fsync => (ALL_FSYNCS as string[]).includes(s));
if (!FSYNCS.includes('always')) FSYNCS.unshift('always');
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

interface Store {
  /** What the bench talks to (a cluster client on the cluster). */
  client: RedisClient;
  /** The node that serves the province: INFO and CONFIG come from it. */
  node: RedisClient;
  /** What server and worker processes are started on. */
  target: TestRedis | TestCluster;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

async function openStore(kind: Fsync, keys: Keys): Promise<Store> {
  if (kind !== 'cluster') {
    const redis = await startTestRedis({ appendfsync: kind });
    const client = redis.client();
    return {
      client,
      node: client,
      target: redis,
      flush: async () => void (await client.flushall()),
      stop: () => redis.stop(),
    };
  }
  const cluster = await startTestCluster({ appendfsync: 'everysec' });
  const client = openRedis(cluster.target, 'bench', createLogger('silent', false));
  await connectionReady(client);
  const node = (await ownerOf(client, keys.events)).node;
  return {
    client,
    node,
    target: cluster,
    flush: async () => {
      if (isCluster(client)) await Promise.all(client.nodes('master').map((n) => n.flushall()));
    },
    stop: async () => {
      client.disconnect();
      await cluster.stop();
    },
  };
}

const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: 3 });

export async function benchIngest(): Promise<Record<string, number | string>> {
  const tree = await loadRegionTree('62');
  const now = Date.now();
  // A live feed: most cases started within the hour, lifecycle updates of older ones mixed in.
  const gen = generate(tree, { events: EVENTS, now, seed: 99, oldShare: 0.02, recentShare: 0.8 });
  // Unique valid events only, in arrival order: the bound and the full path get the same work.
  const seen = new Set<string>();
  const events = (gen.sent as Record<string, unknown>[]).filter((e) => {
    const ok = typeof e.id === 'string' && !e.id.startsWith('bad-') && !seen.has(e.id);
    seen.add(e.id as string);
    return ok;
  });
  const keys = createKeys('62');

  const stored = events.map((e) => ({
    entryId: '',
    event: { ...(e as unknown as StoredEvent), source: 'bench', ts: Date.parse(e.occurredAt as string) },
  }));
  const sla = slaTable();

  // 1. The bound: every batch's case reads and commit arguments prepared in memory beforehand
  // (states chained from batch to batch), then Redis alone executes them.
  const prepared: { caseIds: string[]; args: CommitArg }[] = [];
  const states = new Map<string, StoredCase>();
  for (let i = 0; i < stored.length; i += APPLY_BATCH) {
    const batch = stored.slice(i, i + APPLY_BATCH).map((e) => caseEvent(e.event));
    const plan = new BatchPlan(keys, sla, now, contributionBounds(keys, now));
    for (const e of batch) plan.apply(e, states);
    const args = plan.commitArg(AGGREGATOR_GROUP, [], null);
    for (const [id, c] of plan.committed()) states.set(id, c);
    prepared.push({ caseIds: [...new Set(batch.map((e) => e.caseId))], args });
  }
  // The bound, and on its Redis the append's cost and the aggregator alone; per fsync policy.
  const runBound = async (fsync: Fsync) => {
    const store = await openStore(fsync, keys);
    const bc = store.client;
    const ctx: AggregationContext = { redis: bc, keys, sla };
    await commit(ctx, new BatchPlan(keys, sla, now, contributionBounds(keys, now)).commitArg('', [], null));
    const c0 = await commandsExecuted(store.node);
    const boundStats0 = await commandStats(store.node);
    const boundCpu0 = await redisCpuSeconds(store.node);
    const tb = performance.now();
    for (const { caseIds, args } of prepared) {
      const p = bc.pipeline();
      for (const id of caseIds) p.hget(caseKey(keys, id), id);
      await p.exec();
      if (!(await commit(ctx, args))) throw new Error('prepared commit refused');
    }
    const boundSeconds = (performance.now() - tb) / 1000;
    const boundCommands = (await commandsExecuted(store.node)) - c0;
    const boundByCommand = topCommandsPerEvent(boundStats0, await commandStats(store.node), stored.length);
    const commitUs = (((await redisCpuSeconds(store.node)) - boundCpu0) / stored.length) * 1e6;
    // 1a. What Redis spends on ingest's append (idempotency mark and stream entry), the other part
    // of its work per event that no Node code can take off it: with the commit, the ceiling of one
    // Redis core for the whole path.
    const appendCpu0 = await redisCpuSeconds(store.node);
    for (let i = 0; i < stored.length; i += BATCH)
      await appendEvents(
        bc,
        keys,
        stored.slice(i, i + BATCH).map((e) => e.event),
      );
    const appendUs = (((await redisCpuSeconds(store.node)) - appendCpu0) / stored.length) * 1e6;
    const persistence = await aofSetting(store.node);
    await store.flush();

    // 1b. The aggregator alone: the same batches through applyBatch (Node arithmetic included).
    const ta = performance.now();
    for (let i = 0; i < stored.length; i += APPLY_BATCH)
      await applyBatch(ctx, stored.slice(i, i + APPLY_BATCH), now, false);
    const aggregatorSeconds = (performance.now() - ta) / 1000;
    await store.stop();
    return { boundSeconds, boundCommands, boundByCommand, commitUs, appendUs, persistence, aggregatorSeconds };
  };
  const bound: Partial<Record<Fsync, Awaited<ReturnType<typeof runBound>>>> = {};
  for (const fsync of FSYNCS) bound[fsync] = await runBound(fsync);
  const boundOf = (fsync: Fsync) => bound[fsync]!;
  const { boundCommands, boundByCommand, commitUs, appendUs, persistence, aggregatorSeconds } = boundOf('always');
  const boundSeconds = boundOf('always').boundSeconds;

  // 2. The full path: HTTP ingest → stream → aggregator → counters, with the server as its own
  // process as in production (the aggregator and rules inside it, or in BENCH_WORKERS workers).
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify(events.slice(i, i + BATCH)));
  const runFull = async (fsync: Fsync, env: Record<string, string> = {}) => {
    const store = await openStore(fsync, keys);
    const r = store.node;
    const server = await startServerProcess(store.target, { ...(WORKERS > 0 ? { AGGREGATOR: 'off' } : {}), ...env });
    const workers = Array.from({ length: WORKERS }, (_, i) => startWorkerProcess(store.target, `bench-worker-${i}`));
    await new Promise((res) => setTimeout(res, 2000));
    const loadAtStart = loadAverage();
    const f0 = await commandsExecuted(r);
    const stats0 = await commandStats(r);
    const redisCpu0 = await redisCpuSeconds(r);
    const serverCpu0 = server.cpuSeconds() + workers.reduce((s, w) => s + w.cpuSeconds(), 0);
    // A 503 (Redis busy, or no replica confirmed within REDIS_REPLICA_WAIT_MS) is resent after a
    // pause, as a real source does; its events come back as duplicates when they had been stored.
    let resent = 0;
    const post = async (body: string): Promise<void> => {
      for (;;) {
        const res = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.ingestKey}`, 'content-type': 'application/json' },
          body,
        });
        await res.arrayBuffer();
        if (res.status === 200) return;
        if (res.status !== 503) throw new Error(`ingest answered ${res.status}`);
        resent++;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const tf = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < bodies.length) await post(bodies[next++]!);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const ingestSeconds = (performance.now() - tf) / 1000;
    await drained(store.client, keys.events, 600_000);
    const fullSeconds = (performance.now() - tf) / 1000;
    const redisCores = ((await redisCpuSeconds(r)) - redisCpu0) / fullSeconds;
    const serverCores =
      (server.cpuSeconds() + workers.reduce((s, w) => s + w.cpuSeconds(), 0) - serverCpu0) / fullSeconds;
    const fullCommands = (await commandsExecuted(r)) - f0;
    const byCommand = topCommandsPerEvent(stats0, await commandStats(r), events.length);
    const loadAtEnd = loadAverage();

    // 2a. Small batches one at a time (a source that posts each event as it comes): every answer
    // waits for its own fsync, the worst case for `always`. New ids, so each is appended.
    const small = histogram();
    for (let i = 0; i < SMALL_REQUESTS; i++) {
      const batch = events
        .slice((i * SMALL_BATCH) % events.length, ((i * SMALL_BATCH) % events.length) + SMALL_BATCH)
        .map((e) => ({ ...e, id: `small-${i}-${String(e.id)}` }));
      const s = performance.now();
      await post(JSON.stringify(batch));
      small.recordValue(Math.round((performance.now() - s) * 1000));
    }
    await drained(store.client, keys.events, 600_000);

    // 3. Snapshot latency of a city (张掖市), idle, over HTTP.
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
    });
    const { token } = (await login.json()) as { token: string };
    const snap = histogram();
    for (let i = 0; i < 1000; i++) {
      const s = performance.now();
      const res = await fetch(`${server.url}/api/v1/snapshot/6207`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      snap.recordValue(Math.round((performance.now() - s) * 1000));
    }
    const persistence = await aofSetting(r);
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    await store.stop();
    return {
      persistence,
      resent,
      ingestRate: events.length / ingestSeconds,
      fullRate: events.length / fullSeconds,
      redisCores,
      serverCores,
      // CPU time per event: unlike events/s, it travels between a quiet and a shared machine.
      redisUsPerEvent: (redisCores * fullSeconds * 1e6) / events.length,
      serverUsPerEvent: (serverCores * fullSeconds * 1e6) / events.length,
      loadAtStart,
      loadAtEnd,
      fullCommands,
      byCommand,
      smallP50: small.getValueAtPercentile(50) / 1000,
      smallP99: small.getValueAtPercentile(99) / 1000,
      snapP50: snap.getValueAtPercentile(50) / 1000,
      snapP99: snap.getValueAtPercentile(99) / 1000,
    };
  };
  const full: Partial<Record<Fsync | 'clusterNoWait', Awaited<ReturnType<typeof runFull>>>> = {};
  for (const fsync of FSYNCS) full[fsync] = await runFull(fsync);
  if (FSYNCS.includes('cluster')) full.clusterNoWait = await runFull('cluster', { REDIS_REPLICA_WAIT_MS: '0' });

  const f = full.always!;
  const boundRate = events.length / boundSeconds;
  const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
  const ratio = (a: number, b: number) => round(a / b, 2);
  const fsyncFigures: Record<string, number | string> = {};
  for (const fsync of FSYNCS) {
    const fu = full[fsync]!;
    const bo = boundOf(fsync);
    fsyncFigures[`[${fsync}] ingest accepted (events/s, HTTP answered)`] = Math.round(fu.ingestRate);
    fsyncFigures[`[${fsync}] sustained HTTP → aggregated (events/s)`] = Math.round(fu.fullRate);
    fsyncFigures[`[${fsync}] bound: Redis alone (events/s)`] = Math.round(events.length / bo.boundSeconds);
    fsyncFigures[`[${fsync}] ${SMALL_BATCH}-event POSTs one at a time, p50 / p99 (ms)`] =
      `${fu.smallP50} / ${fu.smallP99}`;
    fsyncFigures[`[${fsync}] requests answered 503 and resent`] = fu.resent;
    fsyncFigures[`[${fsync}] ratio full / bound`] = round(fu.fullRate / (events.length / bo.boundSeconds), 2);
  }
  const both = FSYNCS.includes('everysec') && FSYNCS.includes('cluster');
  const e = full.everysec!;
  const c = full.cluster!;
  const cw = full.clusterNoWait!;
  const crossFigures: Record<string, number | string> = both
    ? {
        'always / everysec: ingest accepted': ratio(f.ingestRate, e.ingestRate),
        'always / everysec: sustained': ratio(f.fullRate, e.fullRate),
        'always / everysec: bound': ratio(boundOf('everysec').boundSeconds, boundOf('always').boundSeconds),
        [`always / everysec: ${SMALL_BATCH}-event POST p50 latency`]: ratio(f.smallP50, e.smallP50),
        '[cluster, WAIT off] ingest accepted (events/s, HTTP answered)': Math.round(cw.ingestRate),
        '[cluster, WAIT off] sustained HTTP → aggregated (events/s)': Math.round(cw.fullRate),
        [`[cluster, WAIT off] ${SMALL_BATCH}-event POSTs one at a time, p50 / p99 (ms)`]: `${cw.smallP50} / ${cw.smallP99}`,
        'cluster / one node (everysec): ingest accepted': ratio(c.ingestRate, e.ingestRate),
        'cluster / one node (everysec): sustained': ratio(c.fullRate, e.fullRate),
        'cluster / one node (everysec): bound': ratio(
          boundOf('everysec').boundSeconds,
          boundOf('cluster').boundSeconds,
        ),
        'cluster: full / bound': ratio(c.fullRate, events.length / boundOf('cluster').boundSeconds),
        'cluster, WAIT on / off: ingest accepted': ratio(c.ingestRate, cw.ingestRate),
        'cluster, WAIT on / off: sustained': ratio(c.fullRate, cw.fullRate),
        [`cluster, WAIT on / off: ${SMALL_BATCH}-event POST p50 latency`]: ratio(c.smallP50, cw.smallP50),
      }
    : {};
  const disk = fsyncLatency();
  return {
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.versions.node}, load average ${loadAverage()}`,
    'load average 1/5/15 min, full path start → end': `${f.loadAtStart} → ${f.loadAtEnd}`,
    persistence: `${persistence} (full path: ${f.persistence}); reference: everysec`,
    [`disk: 4 KiB append + fsync in ${disk.where}, p50 / p99 (ms)`]: `${disk.p50} / ${disk.p99}`,
    events: events.length,
    'http batch size': BATCH,
    'http concurrency': CONCURRENCY,
    'aggregator worker processes (0 = inside the server)': WORKERS,
    'aggregation batch size': APPLY_BATCH,
    'ingest accepted (events/s, HTTP answered)': Math.round(f.ingestRate),
    'sustained HTTP → aggregated (events/s)': Math.round(f.fullRate),
    'bound: Redis alone, reads + commit script (events/s)': Math.round(boundRate),
    'aggregator alone, Node + Redis, no HTTP (events/s)': Math.round(events.length / aggregatorSeconds),
    'ratio full / bound': ratio(f.fullRate, boundRate),
    'Redis CPU per event: append (µs)': round(appendUs, 1),
    'Redis CPU per event: case reads + commit (µs)': round(commitUs, 1),
    'ceiling: one Redis core, append + reads + commit (events/s)': Math.round(1e6 / (appendUs + commitUs)),
    'Redis commands per event (full path)': round(f.fullCommands / events.length, 1),
    'Redis commands per event (bound)': round(boundCommands / events.length, 1),
    'Redis time per event by command, full path (scripts include their calls)': f.byCommand,
    'Redis time per event by command, bound': boundByCommand,
    'full path: Redis CPU (cores)': round(f.redisCores, 2),
    'full path: server and worker processes CPU (cores)': round(f.serverCores, 2),
    'full path CPU per event: server / Redis / both (µs)': `${round(f.serverUsPerEvent, 1)} / ${round(
      f.redisUsPerEvent,
      1,
    )} / ${round(f.serverUsPerEvent + f.redisUsPerEvent, 1)}`,
    'snapshot 6207 p50 (ms)': f.snapP50,
    'snapshot 6207 p99 (ms)': f.snapP99,
    ...fsyncFigures,
    ...crossFigures,
  };
}
