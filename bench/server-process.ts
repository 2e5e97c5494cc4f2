import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type TestRedis } from '../tests/helpers/redis.ts';
import type { TestCluster } from '../tests/helpers/redis-cluster.ts';

/** The environment that points a server or worker process at a test Redis or Redis Cluster. */
function redisEnv(store: TestRedis | TestCluster): Record<string, string> {
  return 'nodesEnv' in store
    ? { REDIS_URL: '', REDIS_CLUSTER_NODES: store.nodesEnv }
    : { REDIS_URL: `redis://127.0.0.1:${store.options.port}`, REDIS_CLUSTER_NODES: '' };
}

export interface ServerProcess extends BenchProcess {
  ingestKey: string;
  adminPassword: string;
}

/**
 * One DevTools-protocol exchange with a process's inspector: collect garbage in the main thread and
 * in every worker thread (the aggregator's), then read memory.
 */
async function collectGarbage(port: number): Promise<{ heapUsed: number; rss: number }> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  type Message = { id?: number; result?: unknown; method?: string; params?: Record<string, unknown> };
  const waitFor = (match: (m: Message) => boolean) =>
    new Promise<Message>((resolve) => {
      const onMessage = (raw: Buffer) => {
        const msg = JSON.parse(raw.toString()) as Message;
        if (!match(msg)) return;
        ws.off('message', onMessage);
        resolve(msg);
      };
      ws.on('message', onMessage);
    });
  let id = 0;
  const call = async (method: string, params: object = {}) => {
    const mine = ++id;
    const reply = waitFor((m) => m.id === mine);
    ws.send(JSON.stringify({ id: mine, method, params }));
    return (await reply).result;
  };
  const workers: string[] = [];
  const onAttach = (raw: Buffer) => {
    const msg = JSON.parse(raw.toString()) as Message;
    if (msg.method === 'NodeWorker.attachedToWorker') workers.push(String(msg.params!.sessionId));
  };
  ws.on('message', onAttach);
  await call('NodeWorker.enable', { waitForDebuggerOnStart: false });
  await new Promise((r) => setTimeout(r, 200));
  ws.off('message', onAttach);
  for (const sessionId of workers) {
    const collected = waitFor(
      (m) =>
        m.method === 'NodeWorker.receivedMessageFromWorker' &&
        m.params!.sessionId === sessionId &&
        (JSON.parse(String(m.params!.message)) as Message).id === 1,
    );
    await call('NodeWorker.sendMessageToWorker', {
      sessionId,
      message: JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }),
    });
    await collected;
  }
  await call('NodeWorker.disable');
  await call('HeapProfiler.collectGarbage');
  const r = (await call('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  })) as { result: { value: string } };
  ws.close();
  const m = JSON.parse(r.result.value) as { heapUsed: number; rss: number };
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / Number(process.env.CLK_TCK ?? 100);
}

export interface WorkerProcess {
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** V8 profiling of the server and worker processes, when BENCH_SERVER_PROFILE names a directory. */
function profileFlags(): string[] {
  const dir = process.env.BENCH_SERVER_PROFILE;
  if (!dir) return [];
  return process.env.BENCH_SERVER_PROFILE_KIND === 'heap'
    ? ['--heap-prof', `--heap-prof-dir=${dir}`]
    : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** An aggregator worker (`npm run worker`) as its own OS process, on the same Redis. */
export function startWorkerProcess(redis: TestRedis | TestCluster, name: string): WorkerProcess {
  // BENCH_WORKER_INSPECT=<port>: the worker's inspector on that port, for a heap or CPU sampler to
  // attach to during the run (how the aggregator's allocation in docs/benchmarks.md was sampled).
  const port = process.env.BENCH_WORKER_INSPECT;
  const inspect = port ? [`--inspect=127.0.0.1:${port}`] : [];
  const child = spawn(process.execPath, [...profileFlags(), ...inspect, '--import', 'tsx', 'server/worker.ts'], {
    env: {
      ...process.env,
      ...redisEnv(redis),
      WORKER_NAME: name,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async stop() {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** A Node process of the benchmark's (a server under test) with its inspector, ready on `/readyz`. */
export interface BenchProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** CPU seconds (user + system) used so far, from /proc. */
  cpuSeconds(): number;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /**
   * A full GC in the server (through its inspector), then its live JS heap and RSS: what the
   * server really holds, without the garbage V8 has not yet collected.
   */
  afterGc(): Promise<{ heapUsed: number; rss: number }>;
  stop(): Promise<void>;
}

/**
 * V8 flags for the servers under test (ours and the bare one alike): by default those of
 * deploy/systemd/pingan-server@.service and scripts/bootstrap.mjs (the young generation's size);
 * `BENCH_SERVER_NODE_FLAGS` replaces them, to try another setting (`""` for V8's defaults).
 */
const serverNodeFlags = () =>
  (process.env.BENCH_SERVER_NODE_FLAGS ?? '--max-semi-space-size=128').split(/\s+/).filter(Boolean);

/** Starts `script` under tsx on a free port (env PORT) and waits until it answers `/readyz`. */
async function startProcess(
  script: string,
  env: Record<string, string>,
  cleanup: () => void = () => undefined,
): Promise<BenchProcess> {
  const port = await freePort();
  const inspectPort = await freePort();
  const child = spawn(
    process.execPath,
    [...serverNodeFlags(), ...profileFlags(), `--inspect=127.0.0.1:${inspectPort}`, '--import', 'tsx', script],
    { env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  // A server starting on a shared, loaded machine took over 30 s (load 34).
  const end = Date.now() + 120_000;
  while (
    !(await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`${script} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return {
    url,
    pid,
    child,
    cpuSeconds: () => processCpuSeconds(pid),
    afterGc: () => collectGarbage(inspectPort),
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0) * 1024;
    },
    async stop() {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      cleanup();
    },
  };
}

const INGEST_KEY = 'bench_ingest_key_0123456789abcdef';

/** The real server as its own OS process (as in production), so its CPU and memory can be read. */
export async function startServerProcess(
  redis: TestRedis | TestCluster,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-bench-'));
  const adminPassword = 'bench-admin-password';
  const proc = await startProcess(
    'server/index.ts',
    {
      ...redisEnv(redis),
      DATA_DIR: dataDir,
      SIMULATOR: 'off',
      INGEST_KEYS: `bench:${INGEST_KEY}`,
      ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      // A load generator is not a tenant: the per-key ingest limit would thin the load it offers.
      RATE_LIMIT_INGEST: '0',
      ...env,
    },
    () => fs.rmSync(dataDir, { recursive: true, force: true }),
  );
  return { ...proc, ingestKey: INGEST_KEY, adminPassword };
}

/**
 * The bare Socket.IO baseline (bench/bare-server.ts) as its own OS process: the same POSTs emitted
 * to rooms at once, no Redis. Messages (and the storm's subscribe replies) are padded to the sizes
 * given (ours, measured in the same run).
 */
export async function startBareServerProcess(o: {
  deltaBytes?: number;
  alertBytes?: number;
  emit?: 'post' | 'event';
  /** The storm's subscribe reply size per level, by region code length (ours, measured in the run). */
  snapshotBytes?: Record<number, number>;
}): Promise<BenchProcess & { ingestKey: string }> {
  const proc = await startProcess('bench/bare-server.ts', {
    BARE_INGEST_KEY: INGEST_KEY,
    ...(o.deltaBytes ? { BARE_DELTA_BYTES: String(o.deltaBytes) } : {}),
    ...(o.alertBytes ? { BARE_ALERT_BYTES: String(o.alertBytes) } : {}),
    ...(o.emit ? { BARE_EMIT: o.emit } : {}),
    ...(o.snapshotBytes ? { BARE_SNAPSHOT_BYTES: JSON.stringify(o.snapshotBytes) } : {}),
  });
  return { ...proc, ingestKey: INGEST_KEY };
}
