import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { EmbeddedRedisMetrics } from '../metrics.ts';
import { DEFAULT_RESTART_BACKOFF, RestartBackoff, type RestartBackoffOptions } from './restart-backoff.ts';

export interface EmbeddedRedis {
  /** ioredis connection options for this server. */
  connection: { path: string } | { host: string; port: number };
  /** The redis-server running now: a supervised one has a new pid after each restart. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period), for good. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dir: string;
  logger?: Logger;
  /** TCP port on 127.0.0.1; when omitted a unix socket in `dir` is used (no port to collide). */
  port?: number;
  /** AOF on by default: the events stream is the log of record. */
  appendonly?: boolean;
  /**
   * `always` by default: Redis writes and fsyncs the AOF before it answers, so an event answered
   * 2xx survives a host crash. `everysec` only for benchmarks that measure what `always` costs.
   */
  appendfsync?: 'always' | 'everysec';
  binary?: string;
  /** Start it again whenever it dies unexpectedly (the server's own Redis); off for tests' Redis. */
  supervise?: boolean | SupervisionOptions;
}

export interface SupervisionOptions extends Partial<RestartBackoffOptions> {
  metrics?: EmbeddedRedisMetrics;
}

export function redisServerAvailable(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A unix socket path must stay under ~104 bytes; long data dirs get a hashed one in tmp. */
export function socketPath(dir: string): string {
  const inDir = path.join(dir, 'redis.sock');
  if (Buffer.byteLength(inDir) < 100) return inDir;
  const h = createHash('sha1').update(dir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `pingan-redis-${h}.sock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A redis-server left behind by a process that was killed with SIGKILL would hold our files;
 * stop it before starting our own, so a crashed server never leaves two writers on one AOF.
 */
async function stopStale(pidFile: string, logger?: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!pid || !alive(pid)) return;
  logger?.warn({ pid }, 'stopping a redis-server left from an earlier run');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

type Answer = 'pong' | 'loading' | false;

function ping(connection: EmbeddedRedis['connection']): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = 'path' in connection ? net.connect(connection.path) : net.connect(connection.port, connection.host);
    const done = (v: Answer) => {
      sock.destroy();
      resolve(v);
    };
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      const reply = d.toString();
      done(reply.startsWith('+PONG') ? 'pong' : reply.startsWith('-LOADING') ? 'loading' : false);
    });
    sock.setTimeout(500, () => done(false));
  });
}

interface Child {
  process: ChildProcess;
  pid: number;
  startedAt: number;
  exited: boolean;
  /** Resolves when the process is gone (or could not be spawned: code and signal null). */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * One redis-server child in its own process group (a Ctrl-C meant for us must not kill Redis before
 * we have drained into it), with a watchdog shell that polls our pid and stops the child within a
 * second if we are killed outright (SIGKILL, a test runner's timeout), where no exit handler runs.
 */
function launch(binary: string, args: string[]): Child {
  const proc = spawn(binary, args, { stdio: 'ignore', detached: true });
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${proc.pid} 2>/dev/null; do sleep 1; done; kill ${proc.pid} 2>/dev/null`,
    ],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();
  const child: Child = {
    process: proc,
    pid: proc.pid ?? 0,
    startedAt: Date.now(),
    exited: false,
    exit: new Promise((resolve) => {
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        if (child.exited) return;
        child.exited = true;
        // Its watchdog would only send a kill to a pid that may by now be someone else's.
        watchdog.kill();
        resolve({ code, signal });
      };
      proc.once('exit', gone);
      proc.once('error', () => gone(null, null));
    }),
  };
  return child;
}

/** Resolves once the child answers PING; gives up after 10 s without an answer (loading counts). */
async function untilAnswering(child: Child, connection: EmbeddedRedis['connection'], log: string): Promise<void> {
  let deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exited) throw new Error(`redis-server exited during start; see ${log}`);
    const answer = await ping(connection);
    if (answer === 'pong') return;
    if (answer === 'loading') deadline = Date.now() + 10_000;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s; see ${log}`);
    await sleep(30);
  }
}

/**
 * The compact encodings the memory plan counts on (docs/capacity.md), what a Redis holding this
 * app's data should be set to (an external one gets a warning at start: durability.ts), and why.
 */
export const LISTPACK_SETTINGS = [
  {
    // A case bucket (≈ 20 cases of ≈ 215 B: version, packed state ≈ 100 B, summary ≈ 100 B;
    // server/aggregate/case-store.ts) stays a listpack only if every value fits: one case over the
    // limit turns its whole bucket into a hash table. 2048 holds the longest summary ingest takes
    // (500 characters) with its state. Hashes stay small (≤ 128 fields), so a listpack's linear
    // scans stay short.
    name: 'hash-max-listpack-value',
    value: 2048,
    why: 'a case bucket holding one value over it becomes a hash table, which holds each case in more memory than the listpack the plan counts on',
  },
  {
    // A county's closed cases of one kind and day (server/aggregate/case-index.ts): ≈ 66, 383 in
    // Gansu's busiest county; a skiplist holds an entry in ≈ 120 B, a listpack in ≈ 30.
    name: 'zset-max-listpack-entries',
    value: 512,
    why: "a busy county's day of closed cases becomes a skiplist, ≈ 4× the memory of the listpack the plan counts on",
  },
] as const;

/** The command-line arguments that set LISTPACK_SETTINGS. */
export const listpackArgs = () => LISTPACK_SETTINGS.flatMap((s) => [`--${s.name}`, String(s.value)]);

/**
 * Starts a redis-server child with its files in `dir` and resolves once it answers PING. Supervised,
 * a child that dies (crash, OOM kill, kill -9) is started again on the same files and socket with a
 * backoff; ioredis clients reconnect to it by themselves. A child that exits cleanly (code 0: a
 * SHUTDOWN or SIGTERM from someone else, e.g. a second server taking over the same DATA_DIR) is
 * left stopped, so two redis-servers never write one AOF.
 */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  const logFile = path.join(dir, 'redis.log');
  await stopStale(pidFile, opts.logger);

  const sock = opts.port === undefined ? socketPath(dir) : undefined;
  const connection: EmbeddedRedis['connection'] = sock ? { path: sock } : { host: '127.0.0.1', port: opts.port! };
  const args = [
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--daemonize',
    'no',
    '--bind',
    '127.0.0.1',
    '--port',
    String(opts.port ?? 0),
    '--appendonly',
    opts.appendonly === false ? 'no' : 'yes',
    '--appendfsync',
    opts.appendfsync ?? 'always',
    '--save',
    '',
    '--logfile',
    logFile,
    '--protected-mode',
    'yes',
    // A write script cannot be killed, so BUSY replies after 5 s only turn a slow moment into
    // failed requests. The commits are sized to stay near a second (aggregate/commit-size.ts), but
    // a CPU-starved host (2 cores at load 20) still stretched one to 8 s: clients wait instead.
    '--lua-time-limit',
    '30000',
    ...listpackArgs(),
  ];
  if (sock) args.push('--unixsocket', sock, '--unixsocketperm', '700');
  const binary = opts.binary ?? 'redis-server';
  const supervision = opts.supervise === true ? {} : opts.supervise || undefined;
  const metrics = supervision?.metrics;
  const backoff = new RestartBackoff({ ...DEFAULT_RESTART_BACKOFF, ...supervision });

  const fresh = () => {
    if (sock) fs.rmSync(sock, { force: true });
    return launch(binary, args);
  };
  let current = fresh();
  let stopping: Promise<void> | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarts = 0;
  // On a normal exit of ours the child goes with us (the watchdog covers an abnormal one).
  const killOnExit = () => {
    if (!current.exited) current.process.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const watch = (child: Child) =>
    void child.exit.then(({ code, signal }) => {
      if (stopping || child !== current) return;
      metrics?.up.set(0);
      if (code === 0) {
        opts.logger?.error(
          { pid: child.pid, dir },
          'embedded redis-server was shut down by someone else; not starting it again',
        );
        return;
      }
      const wait = backoff.next(Date.now() - child.startedAt);
      opts.logger?.warn(
        { pid: child.pid, code, signal, restartInMs: wait, log: logFile },
        'embedded redis-server exited unexpectedly; starting it again',
      );
      restartTimer = setTimeout(() => void restart(), wait);
    });

  const restart = async () => {
    restartTimer = undefined;
    if (stopping) return;
    // The dead child's pid file names a pid that may be reused; the new child writes its own.
    fs.rmSync(pidFile, { force: true });
    const child = fresh();
    current = child;
    watch(child);
    try {
      await untilAnswering(child, connection, logFile);
    } catch (err) {
      // Its exit goes through watch(), which waits longer before the next try.
      opts.logger?.error({ err }, 'restarted embedded redis-server did not come up');
      child.process.kill('SIGKILL');
      return;
    }
    if (stopping || child !== current) return;
    restarts++;
    metrics?.restarts.inc();
    metrics?.up.set(1);
    opts.logger?.info({ pid: child.pid, restarts }, 'embedded redis-server is back');
  };

  try {
    await untilAnswering(current, connection, logFile);
  } catch (err) {
    process.removeListener('exit', killOnExit);
    current.process.kill('SIGKILL');
    const reason = await Promise.race([current.exit, sleep(1000).then(() => undefined)]);
    throw reason && reason.code !== null
      ? new Error(`redis-server exited with code ${reason.code}; see ${logFile}`)
      : err;
  }
  if (supervision) watch(current);
  metrics?.up.set(1);
  opts.logger?.info({ pid: current.pid, dir, ...connection }, 'embedded redis-server started');

  return {
    connection,
    get pid() {
      return current.pid;
    },
    stop() {
      stopping ??= (async () => {
        clearTimeout(restartTimer);
        process.removeListener('exit', killOnExit);
        const child = current;
        if (!child.exited) {
          child.process.kill('SIGTERM'); // redis-server flushes the AOF and exits on SIGTERM
          const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
          await child.exit;
          clearTimeout(timer);
        }
        metrics?.up.set(0);
        opts.logger?.info('embedded redis-server stopped');
      })();
      return stopping;
    },
  };
}
