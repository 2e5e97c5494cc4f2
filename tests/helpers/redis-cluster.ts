import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { freePort } from './redis.ts';
import { sleep } from './process.ts';
import type { RedisTarget } from '../../server/redis/target.ts';
import { listpackArgs } from '../../server/redis/embedded.ts';

export interface ClusterNode {
  host: string;
  port: number;
  dir: string;
  /** The redis-server running on this port now, undefined once killed. */
  process: ChildProcess | undefined;
}

export interface TestCluster {
  nodes: ClusterNode[];
  /** How the server reaches the cluster (every node as a seed, like REDIS_CLUSTER_NODES). */
  target: RedisTarget;
  /** The value of REDIS_CLUSTER_NODES for a server started as a process. */
  nodesEnv: string;
  /** The node that serves `key`'s slot as master now, from the nodes' own view. */
  masterOf(key: string): Promise<ClusterNode>;
  /** SIGKILL: no shutdown, no last fsync, like a crashed host process. */
  kill(node: ClusterNode): void;
  /** Starts a killed node again on its files: it rejoins, as a replica of whoever took over. */
  restart(node: ClusterNode): Promise<void>;
  /** Waits until a live master other than `old` serves `key`'s slot and the cluster says ok. */
  waitForFailover(key: string, old: ClusterNode, timeoutMs?: number): Promise<ClusterNode>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/**
 * How long a master may be silent before the others mark it failed: short, so a test's failover
 * takes seconds (node timeout, then the replica's election), long enough not to fail a node that
 * a loaded CI host merely starved for a moment.
 */
const NODE_TIMEOUT_MS = 3000;

function startNode(node: ClusterNode, appendfsync: 'always' | 'everysec'): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(node.port),
      '--bind',
      HOST,
      '--dir',
      node.dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      // The log of record: AOF on every node; everysec here (see tests/helpers/redis.ts) — the
      // failover test's promise rests on WAIT for the replica, not on the dead master's disk.
      '--appendonly',
      'yes',
      '--appendfsync',
      appendfsync,
      '--save',
      '',
      ...listpackArgs(),
      '--daemonize',
      'no',
      '--logfile',
      path.join(node.dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  child.unref();
  return child;
}

/** Whether nothing listens on `port` (a listen there succeeds). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, HOST, () => s.close(() => resolve(true)));
  });
}

/**
 * A free port whose cluster bus port (10,000 above it) is valid and free as well: redis-server
 * refuses to start otherwise, and the kernel's free ports reach 60999.
 */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port <= 55_535 && (await portIsFree(port + 10_000))) return port;
  }
}

/** The last lines of a node's log, for an error that says why it did not start. */
function logTail(node: ClusterNode): string {
  try {
    return fs.readFileSync(path.join(node.dir, 'redis.log'), 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return 'no log';
  }
}

async function ping(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.ping();
      return;
    } catch {
      if (Date.now() > end) throw new Error(`redis-server on ${port} did not answer`);
      await sleep(50);
    } finally {
      c.disconnect();
    }
  }
}

async function ask<T>(port: number, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

interface NodeLine {
  port: number;
  flags: string[];
  master: string;
  id: string;
  connected: boolean;
  slots: [number, number][];
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const f = line.split(' ');
      const port = Number(f[1]!.split('@')[0]!.split(':')[1]);
      const slots = f.slice(8).flatMap((s): [number, number][] => {
        if (s.startsWith('[')) return [];
        const [a, b] = s.split('-').map(Number);
        return [[a!, b ?? a!]];
      });
      return { id: f[0]!, port, flags: f[2]!.split(','), master: f[3]!, connected: f[7] === 'connected', slots };
    });
}

/**
 * A real Redis 7 cluster on free ports: 3 masters and 3 replicas, AOF on, created with
 * `redis-cli --cluster create … --cluster-replicas 1`; resolves once every node says
 * `cluster_state:ok` and each master has its replica linked. stop() kills them and removes the files.
 */
export async function startTestCluster(opts: { appendfsync?: 'always' | 'everysec' } = {}): Promise<TestCluster> {
  const fsync = opts.appendfsync ?? 'everysec';
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-cluster-'));
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 6; i++) {
    const dir = path.join(base, `n${i}`);
    fs.mkdirSync(dir);
    nodes.push({ host: HOST, port: await freeClusterPort(), dir, process: undefined });
  }
  for (const n of nodes) n.process = startNode(n, fsync);
  const stop = async () => {
    for (const n of nodes) n.process?.kill('SIGKILL');
    await sleep(100);
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      nodes.map((n) =>
        ping(n.port).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}; its log: ${logTail(n)}`);
        }),
      ),
    );
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await waitHealthy(nodes, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const byPort = (port: number) => nodes.find((n) => n.port === port)!;
  const view = async (): Promise<NodeLine[]> => {
    for (const n of nodes) {
      if (!n.process) continue;
      try {
        return parseNodes(await ask(n.port, (c) => c.cluster('NODES') as Promise<string>));
      } catch {
        // a node that is going down: ask the next
      }
    }
    throw new Error('no cluster node answers');
  };
  const masterOf = async (key: string) => {
    const slot = calculateSlot(key);
    const owner = (await view()).find(
      (l) =>
        l.flags.includes('master') && !l.flags.includes('fail') && l.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return byPort(owner.port);
  };
  return {
    nodes,
    target: {
      mode: 'cluster',
      nodes: nodes.map((n) => ({ host: n.host, port: n.port })),
      options: { maxRetriesPerRequest: null },
    },
    nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    masterOf,
    kill(node) {
      node.process?.kill('SIGKILL');
      node.process = undefined;
    },
    async restart(node) {
      node.process = startNode(node, fsync);
      await ping(node.port);
    },
    async waitForFailover(key, old, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        try {
          const m = await masterOf(key);
          if (m !== old && m.process) {
            const state = await ask(m.port, (c) => c.cluster('INFO') as Promise<string>);
            if (state.includes('cluster_state:ok')) return m;
          }
        } catch {
          // the view is changing; ask again
        }
        if (Date.now() > end) throw new Error(`no replica took over ${key}'s slot within ${timeoutMs} ms`);
        await sleep(100);
      }
    },
    stop,
  };
}

async function waitHealthy(nodes: ClusterNode[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      nodes.map((n) =>
        ask(n.port, async (c) => ({
          info: (await c.cluster('INFO')) as string,
          lines: parseNodes((await c.cluster('NODES')) as string),
        })).catch(() => undefined),
      ),
    );
    const ok = states.every((s) => s?.info.includes('cluster_state:ok'));
    const lines = states[0]?.lines ?? [];
    const masters = lines.filter((l) => l.flags.includes('master'));
    const replicas = lines.filter((l) => l.flags.includes('slave') && l.connected);
    if (ok && masters.length === 3 && replicas.length === 3) {
      // Each replica has finished its first sync (else WAIT would count it too early).
      const synced = await Promise.all(
        nodes.map((n) =>
          ask(n.port, async (c) => {
            const info = (await c.info('replication')) as string;
            return !info.includes('role:slave') || info.includes('master_link_status:up');
          }),
        ),
      );
      if (synced.every(Boolean)) return;
    }
    if (Date.now() > end) throw new Error('the test cluster did not become healthy');
    await sleep(200);
  }
}
