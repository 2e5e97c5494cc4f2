// `npm run bench -- fanout`: 1,000 socket clients over regions of every level, 2,000 events/s into
// ingest, and what the clients see: ingest→client latency of deltas and alerts, messages and bytes
// per client per second; what the server pays: CPU, memory per connection, event-loop delay.
import os from 'node:os';
import hdr from 'hdr-histogram-js';
import { startTestRedis, type TestRedis } from '../tests/helpers/redis.ts';
import { connect, subscribe, type TestSocket } from '../tests/helpers/socket-client.ts';
import { loadRegionTree, type RegionTree } from '../server/regions/tree.ts';
import { ancestry } from '../shared/regions.ts';
import type { Delta } from '../shared/delta.ts';
import { startServerProcess, startWorkerProcess } from './server-process.ts';
import { prng } from '../tests/helpers/prng.ts';
import { createKeys } from '../server/redis/keys.ts';
import { redisCpuSeconds } from './redis-info.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/** Idle time before each memory reading. */
const SETTLE_MS = 3000;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
const TICK_MS = 50;

const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: 3 });

/** Subscriptions spread over every level: a few province walls, many county and township screens. */
function pickRegions(tree: RegionTree, n: number, rand: () => number): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const share: [string[], number][] = [
    [tree.codesAt('province'), 0.05],
    [tree.codesAt('city'), 0.15],
    [tree.codesAt('county'), 0.3],
    [tree.codesAt('township'), 0.3],
    [tree.codesAt('village'), 0.2],
  ];
  const out: string[] = [];
  for (const [codes, s] of share) for (let i = 0; i < Math.round(n * s); i++) out.push(pick(codes));
  return out.slice(0, n);
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

/** Bytes as KB with one decimal. */
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function lagP99(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^pingan_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

export async function benchFanout(): Promise<Record<string, number | string>> {
  const rand = prng(5);
  const tree = await loadRegionTree('62');
  const redis = await startTestRedis();
  // BENCH_WORKERS=n: the aggregator (and its rules) in n `npm run worker` processes instead of
  // inside the server, the topology the README gives for a busy deployment.
  const server = await startServerProcess(redis, WORKERS > 0 ? { AGGREGATOR: 'off' } : {});
  const workers = Array.from({ length: WORKERS }, (_, i) => startWorkerProcess(redis, `fanout-worker-${i}`));
  try {
    return {
      ...(await drive(tree, rand, server, redis)),
      'aggregator worker processes (0 = inside the server)': WORKERS,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await server.stop().catch(() => undefined);
    await redis.stop();
  }
}

async function drive(
  tree: RegionTree,
  rand: () => number,
  server: Awaited<ReturnType<typeof startServerProcess>>,
  redis: TestRedis,
): Promise<Record<string, number | string>> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  await new Promise((r) => setTimeout(r, 2000));
  const base = await server.afterGc();

  // 1. Connect everyone, then subscribe everyone; memory per idle connection after each, read
  //    after a full GC in the server: without one, RSS mostly says when V8 last collected.
  const regions = pickRegions(tree, CLIENTS, rand);
  const sockets: TestSocket[] = [];
  for (let i = 0; i < CLIENTS; i += 50) {
    const batch = regions.slice(i, i + 50).map(() => connect(server.url, token));
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', () => resolve());
            s.once('connect_error', (err) => reject(new Error(`socket ${i} could not connect: ${err.message}`)));
          }),
      ),
    );
    sockets.push(...batch);
  }
  await settle();
  const rssConnectedNoGc = server.rss();
  const connected = await server.afterGc();
  await Promise.all(sockets.map((s, i) => subscribe(s, regions[i]!)));
  await settle();
  const rssSubscribedNoGc = server.rss();
  const subscribed = await server.afterGc();

  // 2. Load: events to random villages, each a new incident case; per subscribed region the
  //    cumulative count after each batch, to date every delta a client receives.
  const watched = new Set(regions);
  const cumulative = new Map<string, { at: number; total: number }[]>();
  const totals = new Map<string, number>();
  const villages = tree.codesAt('village');
  const deltaLatency = histogram();
  const alertLatency = histogram();
  const alertSent = new Map<string, number>();
  let messages = 0;
  let bytes = 0;
  sockets.forEach((s, i) => {
    const code = regions[i]!;
    s.onAny((event: string, ...args: unknown[]) => {
      messages++;
      bytes += JSON.stringify(args).length + event.length;
    });
    s.on('delta', (d: Delta) => {
      const v = d.changes['counts.today.incident'];
      if (typeof v !== 'number') return;
      const list = cumulative.get(code);
      const hit = list?.find((x) => x.total >= v);
      if (hit) deltaLatency.recordValue(Math.max(1, Math.round(performance.now() - hit.at)));
    });
    s.on('alert', (a) => {
      const sent = a.caseId === undefined ? undefined : alertSent.get(a.caseId);
      if (sent !== undefined && ancestry(a.region).includes(code))
        alertLatency.recordValue(Math.max(1, Math.round(performance.now() - sent)));
    });
  });

  // When the aggregator announced each event (pub/sub notice): splits the latency into pipeline
  // (ingest → aggregate → rules → notice) and hub (coalescing → snapshot → socket).
  const postedAt = new Map<string, number>();
  const noticeLatency = histogram();
  const sub = redis.client();
  const sub2 = redis.client();
  // When each alert was raised (its pub/sub publish): splits alert latency into pipeline and hub.
  const raisedLatency = histogram();
  const keys = createKeys('62');
  await sub.subscribe(keys.notices, `${keys.prefix}alerts`);
  sub.on('message', (channel: string, msg: string) => {
    const now = performance.now();
    if (channel !== keys.notices) {
      const caseId = (JSON.parse(msg) as { caseId?: string }).caseId;
      const sent = caseId === undefined ? undefined : alertSent.get(caseId);
      if (sent !== undefined) raisedLatency.recordValue(Math.max(1, Math.round(now - sent)));
      return;
    }
    for (const e of (JSON.parse(msg) as { events: { id: string }[] }).events) {
      const at = postedAt.get(e.id);
      if (at !== undefined) noticeLatency.recordValue(Math.max(1, Math.round(now - at)));
    }
  });
  await lagP99(server.url); // resets the server's event-loop histogram
  const cpu0 = server.cpuSeconds();
  const redisCpu0 = await redisCpuSeconds(sub2);
  const t0 = performance.now();
  let seq = 0;
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const ticks = Math.round((SECONDS * 1000) / TICK_MS);
  let late = 0;
  // A refused POST would silently thin the load: every one is counted and fails the run.
  const refused: (number | string)[] = [];
  for (let k = 0; k < ticks; k++) {
    const due = t0 + k * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else late++;
    const at = performance.now();
    const events: object[] = [];
    for (let i = 0; i < perTick; i++) {
      const region = villages[Math.floor(rand() * villages.length)]!;
      postedAt.set(`fan-${seq}`, performance.now());
      events.push({
        id: `fan-${seq}`,
        caseId: `fan-${seq++}`,
        kind: 'incident',
        category: 'public_order',
        status: 'reported',
        severity: 1,
        region,
        occurredAt: new Date(Date.now() - 1000).toISOString(),
        channel: 'police_110',
        summary: '压测事件',
      });
      for (const a of ancestry(region)) {
        if (!watched.has(a)) continue;
        totals.set(a, (totals.get(a) ?? 0) + 1);
      }
    }
    // Every 10th tick a high-risk dispute, for the alert path (40 alerts in 20 s, so the p99 is
    // not just the worst of a handful).
    if (k % 10 === 5) {
      const region = regions.find((r) => r.length === 12) ?? villages[0]!;
      alertSent.set(`fan-alert-${k}`, at);
      events.push({
        id: `fan-alert-${k}`,
        caseId: `fan-alert-${k}`,
        kind: 'dispute',
        category: 'family',
        status: 'received',
        severity: 3,
        region,
        occurredAt: new Date(Date.now() - 1000).toISOString(),
        channel: 'grid',
        summary: '扬言持刀报复',
        riskMarkers: ['kill_threat', 'weapon'],
      });
    }
    for (const [code, total] of totals) {
      const list = cumulative.get(code) ?? [];
      if (list.at(-1)?.total !== total) list.push({ at, total });
      cumulative.set(code, list);
    }
    void fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    }).then(
      async (r) => {
        if (r.status !== 200) refused.push(r.status);
        await r.arrayBuffer();
      },
      (err: unknown) => refused.push(String(err)),
    );
  }
  const loadSeconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  if (refused.length) throw new Error(`${refused.length} ingest requests failed, e.g. ${String(refused[0])}`);
  const cpu = server.cpuSeconds() - cpu0;
  const redisCpu = (await redisCpuSeconds(sub2)) - redisCpu0;
  const lag = await lagP99(server.url);
  const rssLoaded = server.rss();

  for (const s of sockets) s.disconnect();
  const f = (h: ReturnType<typeof histogram>, p: number) => (h.totalCount ? h.getValueAtPercentile(p) : 'n/a');
  return {
    machine: `${os.cpus().length} cores, Node ${process.versions.node}; server, Redis and ${CLIENTS} clients on the same machine`,
    'clients (province/city/county/township/village)': '5% / 15% / 30% / 30% / 20%',
    'events/s offered (seconds)': `${RATE} (${SECONDS})`,
    'driver ticks late': late,
    'delta latency p50 / p95 / p99 (ms)': `${f(deltaLatency, 50)} / ${f(deltaLatency, 95)} / ${f(deltaLatency, 99)}`,
    'delta samples': deltaLatency.totalCount,
    'notice latency (ingest → aggregated) p50 / p95 / p99 (ms)': `${f(noticeLatency, 50)} / ${f(noticeLatency, 95)} / ${f(noticeLatency, 99)}`,
    'alert latency p50 / p95 / p99 (ms)': `${f(alertLatency, 50)} / ${f(alertLatency, 95)} / ${f(alertLatency, 99)}`,
    'alert raised (ingest → alert published) p50 / p95 / p99 (ms)': `${f(raisedLatency, 50)} / ${f(
      raisedLatency,
      95,
    )} / ${f(raisedLatency, 99)}`,
    'alerts raised / client samples': `${raisedLatency.totalCount} / ${alertLatency.totalCount}`,
    'messages per client per second': Math.round((messages / CLIENTS / (loadSeconds + 2)) * 10) / 10,
    'bytes per client per second': Math.round(bytes / CLIENTS / (loadSeconds + 2)),
    'server CPU during load (cores)': Math.round((cpu / (loadSeconds + 2)) * 100) / 100,
    'Redis CPU during load (cores)': Math.round((redisCpu / (loadSeconds + 2)) * 100) / 100,
    'server RSS per connection after a full GC, connected / subscribed idle (KB)': `${kb(
      (connected.rss - base.rss) / CLIENTS,
    )} / ${kb((subscribed.rss - base.rss) / CLIENTS)}`,
    'server live JS heap per connection, connected / subscribed idle (KB)': `${kb(
      (connected.heapUsed - base.heapUsed) / CLIENTS,
    )} / ${kb((subscribed.heapUsed - base.heapUsed) / CLIENTS)}`,
    'server RSS per connection without forcing a GC, connected / subscribed (KB)': `${kb(
      (rssConnectedNoGc - base.rss) / CLIENTS,
    )} / ${kb((rssSubscribedNoGc - base.rss) / CLIENTS)}`,
    'server RSS base / loaded (MB)': `${Math.round(base.rss / 1048576)} / ${Math.round(rssLoaded / 1048576)}`,
    'server event-loop delay p99 during load (ms)': Math.round(lag * 10) / 10,
  };
}
