// `npm run bench -- fanout`: 1,000 socket clients over regions of every level, 2,000 events/s into
// ingest, and what the clients see: ingest→client latency of deltas and alerts, messages and bytes
// per client per second; what the server pays: CPU, memory per connection, event-loop delay.
// Then, in the same run and with the same clients, rooms, events and rate, a bare Socket.IO server
// (bench/bare-server.ts) as the baseline the goals of issue 20 are judged against: absolute figures
// do not travel between machines, ratios to a baseline measured beside them do.
import { startTestRedis, type TestRedis } from '../tests/helpers/redis.ts';
import { loadRegionTree, type RegionTree } from '../server/regions/tree.ts';
import {
  startBareServerProcess,
  startServerProcess,
  startWorkerProcess,
  type ServerProcess,
} from './server-process.ts';
import { createKeys } from '../server/redis/keys.ts';
import { aofSetting, redisCpuSeconds } from './redis-info.ts';
import { histogram, pct, record, spread } from './histogram.ts';
import { CLIENTS, LAYOUT, meanBytes } from './fanout-fleet.ts';
import { RATE, SECONDS, WARMUP_SECONDS } from './fanout-driver.ts';
import { runFanout, type RunResult } from './fanout-run.ts';
import { judge } from './fanout-goals.ts';
import { loadavg, machine } from './conditions.ts';
import { describe, minus, scrapeHistogram, type Scraped } from './prom-histogram.ts';

/** Idle time before each memory reading. */
const SETTLE_MS = 3000;
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
/** How the bare server groups its deltas: one per room per POST (default), or one per room per event. */
const BARE_EMIT = process.env.BENCH_BARE_EMIT === 'event' ? 'event' : 'post';

type Figures = Record<string, number | string>;

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

/** Bytes as KB with one decimal. */
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** What the clients saw and the server paid, the same for ours and the bare server. */
function common(r: RunResult, prefix: string): Figures {
  return {
    [`${prefix}load average (1 min) when the load started`]: r.loadAtStart.toFixed(2),
    [`${prefix}driver ticks late`]: r.late,
    [`${prefix}delta latency p50 / p95 / p99 (ms)`]: spread(r.stats.delta),
    [`${prefix}delta samples`]: r.stats.delta.totalCount,
    [`${prefix}delta p99 by level of the screen (ms)`]: [...r.stats.deltaByLevel]
      .map(([level, h]) => `${level} ${pct(h, 99)}`)
      .join(', '),
    [`${prefix}delta latency in the warm-up, from cold: p50 / p95 / p99 (ms)`]: spread(r.stats.warmupDelta),
    [`${prefix}alert latency p50 / p95 / p99 (ms)`]: spread(r.stats.alert),
    [`${prefix}alert client samples / expected`]: `${r.stats.alert.totalCount} / ${r.alertsExpected}`,
    [`${prefix}mean delta / alert message (bytes)`]: `${meanBytes(r.stats, 'delta') ?? 'n/a'} / ${
      meanBytes(r.stats, 'alert') ?? 'n/a'
    }`,
    [`${prefix}messages per client per second`]: r.perClient.messages,
    [`${prefix}bytes per client per second`]: r.perClient.bytes,
    [`${prefix}server CPU during load (cores)`]: r.cpuCores,
    [`${prefix}server event-loop delay p99 during load (ms)`]: r.lagP99,
  };
}

export async function benchFanout(): Promise<Figures> {
  const loadAtStart = loadavg();
  const tree = await loadRegionTree('62');
  const ours = await runOurs(tree);
  // Printed now as well: a baseline run that fails (a starved machine) must not lose ours.
  for (const [k, v] of Object.entries({ ...common(ours.run, ''), ...ours.figures })) console.log(`ours: ${k} ${v}`);
  // Redis and our server are gone before the baseline starts: the two never share the cores.
  const deltaBytes = meanBytes(ours.run.stats, 'delta') ?? 1200;
  const alertBytes = meanBytes(ours.run.stats, 'alert') ?? 1500;
  const bare = await startBareServerProcess({ deltaBytes, alertBytes, emit: BARE_EMIT });
  let bareRun: RunResult;
  try {
    bareRun = await runFanout({ ...bare, token: 'bare' }, tree);
  } finally {
    await bare.stop().catch(() => undefined);
  }
  return {
    machine: machine(),
    'Node / Redis': `${process.versions.node} / ${ours.redisVersion} (${ours.persistence})`,
    'load average 1 / 5 / 15 min at start': loadAtStart,
    'load average 1 / 5 / 15 min at end': loadavg(),
    setup: `server(s), Redis and ${CLIENTS} clients on the same machine; ours, then the bare server, in turn`,
    'clients by level': LAYOUT,
    'events/s offered (seconds measured, after a warm-up of), POST every 50 ms': `${RATE} (${SECONDS}, after ${WARMUP_SECONDS})`,
    'bare server emits': `${BARE_EMIT === 'post' ? 'one delta per watched room per POST' : 'one delta per watched room per event'}, padded to ours (${deltaBytes} B), alerts to ${alertBytes} B`,
    '-- ours --': '',
    ...common(ours.run, ''),
    ...ours.figures,
    '-- bare Socket.IO baseline --': '',
    ...common(bareRun, 'bare: '),
    '-- ours against the baseline (issue 20) --': '',
    ...judge(ours.run, bareRun),
  };
}

/** Our server (and Redis, and any worker processes): the run, and what only ours has to report. */
async function runOurs(
  tree: RegionTree,
): Promise<{ run: RunResult; figures: Figures; redisVersion: string; persistence: string }> {
  const redis = await startTestRedis();
  // BENCH_WORKERS=n: the aggregator (and its rules) in n `npm run worker` processes instead of
  // inside the server, the topology the README gives for a busy deployment.
  const server = await startServerProcess(redis, WORKERS > 0 ? { AGGREGATOR: 'off' } : {});
  const workers = Array.from({ length: WORKERS }, (_, i) => startWorkerProcess(redis, `fanout-worker-${i}`));
  try {
    const info = redis.client();
    const redisVersion = /redis_version:(\S+)/.exec(await info.info('server'))?.[1] ?? 'unknown';
    const persistence = await aofSetting(info);
    const { run, figures } = await measureOurs(tree, server, redis);
    return {
      run,
      figures: { ...figures, 'aggregator worker processes (0 = inside the server)': WORKERS },
      redisVersion,
      persistence,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
    await server.stop().catch(() => undefined);
    await redis.stop();
  }
}

async function measureOurs(
  tree: RegionTree,
  server: ServerProcess,
  redis: TestRedis,
): Promise<{ run: RunResult; figures: Figures }> {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: server.adminPassword }),
  });
  const { token } = (await login.json()) as { token: string };
  await new Promise((r) => setTimeout(r, 2000));
  const base = await server.afterGc();

  // Memory per idle connection after connecting and after subscribing, read after a full GC in
  // the server: without one, RSS mostly says when V8 last collected.
  let rssConnectedNoGc = 0;
  let rssSubscribedNoGc = 0;
  let connected = base;
  let subscribed = base;
  let rssLoaded = 0;
  let redisCpu = 0;
  let redisCpu0 = 0;
  // When the aggregator announced each event (pub/sub notice): splits the latency into pipeline
  // (ingest → aggregate → rules → notice) and hub (coalescing → snapshot → socket).
  const noticeLatency = histogram();
  // When each alert was raised (its pub/sub publish): splits alert latency into pipeline and hub.
  const raisedLatency = histogram();
  // The hub's snapshot reads for refreshes during the load: the wait for a read slot, then the read.
  const SLOT = 'pingan_snapshot_slot_wait_seconds';
  const READ = 'pingan_snapshot_read_seconds';
  const scrape = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return { wait: scrapeHistogram(text, SLOT, 'refresh'), read: scrapeHistogram(text, READ, 'refresh') };
  };
  let reads0: { wait: Scraped; read: Scraped } | undefined;
  let reads: { wait: Scraped; read: Scraped } | undefined;
  const sub = redis.client();
  const sub2 = redis.client();
  const keys = createKeys('62');
  const run = await runFanout({ ...server, token }, tree, {
    async afterConnect() {
      await settle();
      rssConnectedNoGc = server.rss();
      connected = await server.afterGc();
    },
    async afterSubscribe() {
      await settle();
      rssSubscribedNoGc = server.rss();
      subscribed = await server.afterGc();
    },
    async beforeMeasure(ledger) {
      await sub.subscribe(keys.notices, `${keys.prefix}alerts`);
      sub.on('message', (channel: string, msg: string) => {
        const now = performance.now();
        if (channel !== keys.notices) {
          const caseId = (JSON.parse(msg) as { caseId?: string }).caseId;
          const sent = caseId === undefined ? undefined : ledger.alertSent.get(caseId);
          if (sent !== undefined) record(raisedLatency, now - sent);
          return;
        }
        for (const e of (JSON.parse(msg) as { events: { id: string }[] }).events) {
          const at = ledger.postedAt.get(e.id);
          if (at !== undefined && at >= ledger.measureFrom) record(noticeLatency, now - at);
        }
      });
      redisCpu0 = await redisCpuSeconds(sub2);
      reads0 = await scrape();
    },
    async afterLoad() {
      redisCpu = (await redisCpuSeconds(sub2)) - redisCpu0;
      const after = await scrape();
      if (reads0) reads = { wait: minus(after.wait, reads0.wait), read: minus(after.read, reads0.read) };
      rssLoaded = server.rss();
    },
  });
  const seconds = run.loadSeconds + 2;
  return {
    run,
    figures: {
      'notice latency (ingest → aggregated) p50 / p95 / p99 (ms)': spread(noticeLatency),
      'alert raised (ingest → alert published) p50 / p95 / p99 (ms)': spread(raisedLatency),
      'alerts raised': raisedLatency.totalCount,
      'room refreshes: wait for a read slot (count; mean; p50; p99)': reads ? describe(reads.wait) : 'n/a',
      'room refreshes: snapshot read (count; mean; p50; p99)': reads ? describe(reads.read) : 'n/a',
      'Redis CPU during load (cores)': Math.round((redisCpu / seconds) * 100) / 100,
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
    },
  };
}
