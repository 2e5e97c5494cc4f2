import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Logger } from '../log.ts';

export interface EmbeddedRedis {
  /** ioredis connection options for this server. */
  connection: { path: string } | { host: string; port: number };
  pid: number;
  /** Stops the server (SHUTDOWN, then SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dir: string;
  logger?: Logger;
  /** TCP port on 127.0.0.1; when omitted a unix socket in `dir` is used (no port to collide). */
  port?: number;
  /** AOF on by default: the events stream is the log of record. */
  appendonly?: boolean;
  binary?: string;
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

function ping(connection: EmbeddedRedis['connection']): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = 'path' in connection ? net.connect(connection.path) : net.connect(connection.port, connection.host);
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
    sock.setTimeout(500, () => done(false));
  });
}

/** Starts a redis-server child with its files in `dir` and resolves once it answers PING. */
export async function startEmbeddedRedis(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  await stopStale(pidFile, opts.logger);

  const sock = opts.port === undefined ? socketPath(dir) : undefined;
  const connection: EmbeddedRedis['connection'] = sock ? { path: sock } : { host: '127.0.0.1', port: opts.port! };
  if (sock) fs.rmSync(sock, { force: true });
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
    'everysec',
    '--save',
    '',
    '--logfile',
    path.join(dir, 'redis.log'),
    '--protected-mode',
    'yes',
  ];
  if (sock) args.push('--unixsocket', sock, '--unixsocketperm', '700');

  // Its own process group: a Ctrl-C meant for us must not kill Redis before we have drained into it.
  const child: ChildProcess = spawn(opts.binary ?? 'redis-server', args, { stdio: 'ignore', detached: true });
  let exited = false;
  child.once('exit', () => (exited = true));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start redis-server: ${err.message}`)));
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with code ${code}; see ${path.join(dir, 'redis.log')}`)),
    );
  });
  failed.catch(() => undefined);
  // An abnormal exit of ours must not leave the child behind: on a normal exit we kill it here; if
  // we are killed outright (SIGKILL, a test runner's timeout), a watchdog shell that polls our pid
  // stops it within a second.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const watchdog = spawn(
    'sh',
    [
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill ${child.pid} 2>/dev/null`,
    ],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();

  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([ping(connection), failed]))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not answer within 10 s');
    }
    await sleep(30);
  }
  opts.logger?.info({ pid: child.pid, dir, ...connection }, 'embedded redis-server started');

  let stopping: Promise<void> | undefined;
  return {
    connection,
    pid: child.pid!,
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        watchdog.kill();
        if (exited) return;
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM'); // redis-server flushes the AOF and exits on SIGTERM
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
        opts.logger?.info('embedded redis-server stopped');
      })();
      return stopping;
    },
  };
}
